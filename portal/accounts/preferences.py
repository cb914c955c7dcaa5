"""The person's preferences forms: language and time zone (docs/i18n.md); for platform roles,
the languages they read as well (SPEC §15: claiming the next referral prefers them); and which
e-mails they get (SPEC §19)."""

import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import role_of
from portal.email_preferences import email_choices, kinds_for
from portal.languages import READS_LANGUAGES_MAX, is_language_code, split_language_codes


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def time_zone_choices(blank_label) -> list[tuple[str, str]]:
    return [("", blank_label), *[(name, name.replace("_", " ")) for name in time_zone_names()]]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Pages and e-mails are written in this language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times are shown in this zone."),
    )

    def __init__(self, *args, platform: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if platform:
            self.fields["reads_languages"] = forms.CharField(
                label=_("Languages you read"),
                required=False,
                max_length=200,
                help_text=_(
                    "Two-letter ISO 639-1 codes separated by commas, such as en, fr, ar. "
                    "Claiming the next referral offers referrals in these languages first."
                ),
            )
        # Each language named in itself, so a person who cannot read the page still finds theirs.
        self.fields["language"].choices = [("", _("Your browser's language")), *settings.LANGUAGES]
        self.fields["time_zone"].choices = time_zone_choices(_("Your browser's time zone"))

    def clean_reads_languages(self) -> list[str]:
        codes = split_language_codes(self.cleaned_data.get("reads_languages", ""))
        unknown = [code for code in codes if not is_language_code(code)]
        if unknown:
            raise forms.ValidationError(
                _("%(codes)s: not ISO 639-1 language codes; use two letters such as en or ar."),
                code="invalid_language",
                params={"codes": ", ".join(unknown)},
            )
        if len(codes) > READS_LANGUAGES_MAX:
            raise forms.ValidationError(
                _("List at most %(max)d languages."), code="too_many", params={"max": READS_LANGUAGES_MAX}
            )
        return codes


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind of e-mail offered to the person's role (portal.email_preferences),
    checked when they get it now. `shown` says the page carried these boxes, so a post
    without them (an older page, a script) leaves the choices as they are."""

    shown = forms.BooleanField(required=False, initial=True, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        choices = email_choices(user)
        kwargs.setdefault("initial", {}).update(choices)
        super().__init__(*args, **kwargs)
        for kind in kinds_for(role_of(user)):
            self.fields[kind.code] = forms.BooleanField(label=kind.label, help_text=kind.help_text, required=False)

    def chosen(self) -> dict[str, bool] | None:
        """The choices posted, or None when the page did not carry the boxes."""
        if not self.cleaned_data.get("shown"):
            return None
        return {name: value for name, value in self.cleaned_data.items() if name != "shown"}
