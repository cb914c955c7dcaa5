"""Forms of the redress pages; validation proper lives in referrals.redress.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import AppealOutcome
from referrals.redress import services


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the decision should change"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        max_length=services.REASON_MAX,
        help_text=_("20 to 5,000 characters. Someone other than the reviewer who took the decision reads it."),
    )


class ComplaintForm(forms.Form):
    reason = forms.CharField(
        label=_("What the account holder says"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        max_length=services.REASON_MAX,
        help_text=_("20 to 5,000 characters: the complaint as the account holder made it, and how it reached you."),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (AppealOutcome.UPHELD, _("Uphold: the decision stands")),
            (AppealOutcome.REVERSED, _("Reverse the decision")),
        ],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Statement"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        max_length=services.STATEMENT_MAX,
        help_text=_("20 to 5,000 characters: the reasons for the outcome. The appellant organisation reads it."),
    )

    def __init__(self, *args, complaint: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if complaint:
            self.fields["statement"].help_text = _(
                "20 to 5,000 characters: the reasons for the outcome, for platform staff and for answering "
                "the account holder."
            )
