"""The period chooser of the `/transparency/` page and its downloads."""

from __future__ import annotations

import contextlib

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboards.transparency.periods import (
    Period,
    PeriodError,
    custom_period,
    named_period,
    quarter_of,
    recent_periods,
    today_utc,
)

CUSTOM = ""


class PeriodForm(forms.Form):
    period = forms.CharField(
        required=False,
        label=_("Period"),
        help_text=_("A quarter or half-year, or “Custom dates” with the dates below."),
        widget=forms.Select,
    )
    start = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, today=None):
        self.today = today or today_utc()
        # A bare URL means the current quarter, shown selected.
        if not data or not any(data.get(k) for k in ("period", "start", "end")):
            data = {"period": quarter_of(self.today).code}
        super().__init__(data)
        options = recent_periods(self.today)
        requested = (data.get("period") or "").strip().upper()
        if requested and requested not in {p.code for p in options}:
            with contextlib.suppress(PeriodError):
                options.insert(0, named_period(requested))
        self.fields["period"].widget.choices = [(p.code, p.label) for p in options] + [
            (CUSTOM, gettext("Custom dates"))
        ]

    def clean_period(self) -> str:
        return (self.cleaned_data.get("period") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if cleaned.get("period"):
                cleaned["selected"] = named_period(cleaned["period"])
            else:
                missing = [name for name in ("start", "end") if not cleaned.get(name)]
                for name in missing:
                    self.add_error(name, gettext("Enter a date, or choose a quarter or half-year."))
                if not missing:
                    cleaned["selected"] = custom_period(cleaned["start"], cleaned["end"])
        except PeriodError as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned

    @property
    def selected(self) -> Period:
        return self.cleaned_data["selected"]

    def error_dict(self) -> dict[str, list[str]]:
        return {field: [str(m) for m in messages] for field, messages in self.errors.items()}
