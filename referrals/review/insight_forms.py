"""The period chooser of the leads' insights page (SPEC §15); the rules are
referrals.review.insights.insight_period's, shared with the API and the CSV."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.review import insights


class InsightsPeriodForm(forms.Form):
    start = forms.DateField(
        required=False,
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )
    end = forms.DateField(
        required=False,
        label=_("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )

    def __init__(self, data=None, *, today=None):
        self.today = today
        super().__init__(data or {})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        params = {name: cleaned[name].isoformat() for name in ("start", "end") if cleaned.get(name)}
        try:
            cleaned["period"] = insights.insight_period(params, today=self.today)
        except insights.PeriodError as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    @property
    def period(self) -> insights.Period:
        return self.cleaned_data["period"]
