"""The form declaring an incident; the checks proper are the service's
(`referrals.crisis.services.incidents.incident_clean`), shown on the fields here."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.choices import IncidentLevel
from referrals.crisis.services import incidents as services


def lines(text: str) -> list[str]:
    """The non-blank lines of a text box, trimmed: one keyword or URL each."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class IncidentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        widget=forms.TextInput(attrs={"maxlength": services.TITLE_MAX, "dir": "auto"}),
        help_text=_("What partners and reviewers will call it, e.g. “Attack in Lyon, 3 March”. 3–200 characters."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": services.SUMMARY_MAX, "dir": "auto"}),
        help_text=_(
            "What happened and what content is spreading. Verified partners read it on the incident's page "
            "(20–5,000 characters)."
        ),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=IncidentLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_(
            "Level 1 is the gravest: its queue's deadline is 60 minutes, and its referrals come first in every "
            "work list."
        ),
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto", "spellcheck": "false"}),
        help_text=_(
            "One per line, up to 50: words or phrases (a name, a slogan, the title of a manifesto) that a "
            "referral's explanation about the incident would use. Case and accents do not matter."
        ),
    )
    urls = forms.CharField(
        label=_("URLs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_(
            "One per line, up to 100: the posts and accounts of the perpetrator and of those spreading the "
            "content (https://…). A referral naming one of them, or another post of those accounts, matches."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits the service enforces, stated where people type.
        self.fields["title"].widget.attrs["minlength"] = services.TITLE_MIN
        self.fields["summary"].widget.attrs["minlength"] = services.SUMMARY_MIN

    def declaration(self) -> dict:
        """The fields as the service takes them, from what was typed (valid or not)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {
            "title": data.get("title", self.data.get("title", "")),
            "summary": data.get("summary", self.data.get("summary", "")),
            "level": data.get("level", self.data.get("level")),
            "keywords": lines(self.data.get("keywords", "")),
            "urls": lines(self.data.get("urls", "")),
        }

    def show(self, errors: dict) -> None:
        """The service's refusals on their fields (the form's own words first, when it has some)."""
        for field, problems in errors.items():
            if field in self.errors:
                continue
            self.add_error(field if field in self.fields else None, problems)
