"""The person's preferences form: language and time zone (docs/i18n.md)."""

import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself, so a person who cannot read the page still finds theirs.
        self.fields["language"].choices = [("", _("Your browser's language")), *settings.LANGUAGES]
        self.fields["time_zone"].choices = time_zone_choices(_("Your browser's time zone"))
