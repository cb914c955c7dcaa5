"""The hubs page's window of days, and the accounts chosen on a network page (SPEC §14)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.surfacing.selectors import HUB_DAYS_DEFAULT, HUB_DAYS_MAX


class HubsForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days"),
        min_value=1,
        max_value=HUB_DAYS_MAX,
        help_text=_("Referrals received in this many last days, from 1 to 365."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, data=None):
        data = data.copy() if data is not None else {}
        # Without a choice, the default window, shown in the field.
        if not data.get("days"):
            data["days"] = str(HUB_DAYS_DEFAULT)
        super().__init__(data)

    @property
    def days_chosen(self) -> int:
        return self.cleaned_data["days"]


class NetworkSignalForm(forms.Form):
    """The hidden fields of "Raise a signal": the window the figures are read over, and which
    page the lead came from (the hubs list or the network page), to return to it."""

    days = forms.IntegerField(min_value=1, max_value=HUB_DAYS_MAX, required=False)
    back = forms.ChoiceField(choices=[("network", "network"), ("hubs", "hubs")], required=False)
