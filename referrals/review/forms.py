"""Forms of the reviewer's workbench; validation proper lives in the services."""

import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from partners.models import Role
from portal.accounts.roles import OrganisationKind
from referrals.engine import dsa
from referrals.models import Action, Category, Decision, Ground, Kind, Queue, Severity
from referrals.review.services import claims, decisions, escalation, notes
from referrals.review.services.queues import SUBMITTER_KINDS
from referrals.review.template_forms import TemplateChoiceField, offer_templates, template_merge


def platform_staff():
    return (
        get_user_model()
        .objects.filter(membership__role__in=[Role.REVIEWER, Role.QUEUE_LEAD], is_active=True)
        .order_by("email")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.email} ({user.membership.get_role_display().lower()})"


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.email} ({user.membership.get_role_display().lower()})"


class DecisionForm(forms.Form):
    """The decision on `referral`. Nothing is chosen for the reviewer on a legal kind; only the
    outcomes that can answer its kind are offered; fields that do not apply to the chosen
    outcome are ignored (and hidden by the form's script, see `fields_by_action`)."""

    template = TemplateChoiceField(
        label=_("Template"),
        help_text=_("Fills in the outcome, ground, provision and statement; change any of them before recording."),
    )
    action = forms.ChoiceField(label=_("Outcome"), choices=Action.choices)
    ground = forms.ChoiceField(label=_("Ground"), choices=Ground.choices, widget=forms.RadioSelect)
    policy = forms.CharField(
        label=_("Rule or legal provision"),
        max_length=300,
        help_text=_("e.g. Violent extremism policy 3.1, or TCO Art. 3"),
    )
    statement_of_reasons = forms.CharField(
        label=_("Statement of reasons"),
        min_length=decisions.STATEMENT_MIN,
        max_length=decisions.STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Shown to the submitter and published in the DSA Transparency Database, so leave out names, "
            "handles and other personal data (20–5,000 characters)."
        ),
    )
    territorial_scope = forms.CharField(
        label=_("Territorial scope"),
        required=False,
        help_text=_(
            "EEA countries only (the DSA Transparency Database takes no others): two-letter codes of the "
            "27 EU countries, Iceland (IS), Liechtenstein (LI) or Norway (NO), separated by commas. Leave empty "
            "for everywhere; the statement of reasons then lists all 30."
        ),
    )
    restriction_end = forms.DateField(
        label=_("Restriction ends"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "max": dsa.LATEST_DATE.isoformat()}),
        help_text=_(
            "Only for a suspension, restriction or label with an end; at the latest 1 January 2038, "
            "the last date the DSA Transparency Database takes."
        ),
    )
    non_compliance_reason = forms.ChoiceField(
        label=_("Reason the platform cannot comply"),
        required=False,
        choices=[("", "—"), *Decision.NonComplianceReason.choices],
        help_text=_("Required when a removal order cannot be complied with."),
    )
    apply_to_subject = forms.BooleanField(
        label=_("Apply to the other open notices about the same accounts"), required=False, initial=True
    )

    # The fields that apply only to some outcomes, and those outcomes.
    fields_by_action = {
        "restriction_end": sorted(decisions.RESTRICTING_ACTIONS),
        "non_compliance_reason": [Action.UNABLE_TO_COMPLY],
        "apply_to_subject": sorted(decisions.SUBJECT_WIDE_ACTIONS),
    }

    def __init__(self, *args, referral=None, user=None, **kwargs):
        """`referral` None: a bulk decision (every outcome offered, each checked per referral).
        With `user`, the templates offered for the referral (SPEC §15)."""
        super().__init__(*args, **kwargs)
        kind = referral.kind if referral is not None else None
        offered = [
            (value, label)
            for value, label in Action.choices
            if kind is None or decisions.ACTION_ONLY_FOR.get(value, kind) == kind
        ]
        self.fields["action"].choices = [("", _("Choose an outcome")), *offered]
        if referral is not None and not referral.is_legal:
            self.fields["ground"].initial = Ground.TERMS
        offer_templates(self, user=user, referral=referral)

    @property
    def fields_by_action_json(self) -> str:
        return json.dumps({k: [str(a) for a in v] for k, v in self.fields_by_action.items()})

    def clean_territorial_scope(self):
        raw = self.cleaned_data["territorial_scope"]
        return [code for code in raw.replace(";", ",").replace(" ", ",").split(",") if code]

    def clean(self):
        data = template_merge(self, super().clean())
        action = data.get("action")
        if action not in self.fields_by_action["restriction_end"]:
            data["restriction_end"] = None
        if action not in self.fields_by_action["non_compliance_reason"]:
            data["non_compliance_reason"] = ""
        if action not in self.fields_by_action["apply_to_subject"]:
            data["apply_to_subject"] = False
        return data


class RequestInfoForm(forms.Form):
    template = TemplateChoiceField(
        label=_("Template"), help_text=_("Leave the question empty to send the template's text as it is.")
    )
    message = forms.CharField(
        label=_("Question for the submitter"),
        max_length=claims.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The clock pauses until they answer."),
    )

    def __init__(self, *args, referral=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_templates(self, user=user, referral=referral, requests_for_information=True)

    def clean(self):
        return template_merge(self, super().clean())


class ReassignForm(forms.Form):
    assignee = StaffChoiceField(
        label=_("Reviewer"), queryset=None, required=False, empty_label=_("Nobody (back to the queue)")
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=Queue.objects.all(), required=False, empty_label=_("Keep")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = platform_staff().select_related("membership")


class QueueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sla_minutes = forms.IntegerField(label=_("SLA (minutes)"), min_value=1, max_value=60 * 24 * 30)
    members = StaffMultipleChoiceField(
        label=_("Members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = platform_staff().select_related("membership")


TRUSTED_CHOICES = [("", _("Any submitter")), ("yes", _("Trusted flaggers only")), ("no", _("Not trusted flaggers"))]
# The organisation kinds a rule can name, by their labels (the values are codes).
SUBMITTER_KIND_CHOICES = [(k, OrganisationKind(k).label) for k in SUBMITTER_KINDS]


def _codes(text: str) -> list[str]:
    return [c for c in text.replace(";", ",").replace(" ", ",").split(",") if c]


class RuleForm(forms.Form):
    order = forms.IntegerField(
        label=_("Order"), min_value=1, help_text=_("Rules are tried in this order; the first match wins.")
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.all())
    kinds = forms.MultipleChoiceField(
        label=_("Kinds"), choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"), choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    severities = forms.MultipleChoiceField(
        label=_("Severities"), choices=Severity.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    countries = forms.CharField(
        label=_("Countries"), required=False, help_text=_("Two-letter codes, comma-separated; empty for any.")
    )
    languages = forms.CharField(
        label=_("Languages"), required=False, help_text=_("Two-letter codes, comma-separated; empty for any.")
    )
    submitter_kinds = forms.MultipleChoiceField(
        label=_("Submitter kinds"),
        choices=SUBMITTER_KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trusted_flagger = forms.ChoiceField(label=_("Trusted flagger"), choices=TRUSTED_CHOICES, required=False)
    priority_boost = forms.IntegerField(label=_("Priority boost"), min_value=-100, max_value=100, initial=0)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def clean_countries(self):
        return _codes(self.cleaned_data["countries"])

    def clean_languages(self):
        return _codes(self.cleaned_data["languages"])

    def clean_trusted_flagger(self):
        return {"yes": True, "no": False}.get(self.cleaned_data["trusted_flagger"])

    @classmethod
    def initial_for(cls, rule) -> dict:
        return {
            "order": rule.order,
            "name": rule.name,
            "queue": rule.queue_id,
            "kinds": rule.kinds,
            "categories": rule.categories,
            "severities": rule.severities,
            "countries": ", ".join(rule.countries),
            "languages": ", ".join(rule.languages),
            "submitter_kinds": rule.submitter_kinds,
            "trusted_flagger": {True: "yes", False: "no"}.get(rule.trusted_flagger, ""),
            "priority_boost": rule.priority_boost,
            "enabled": rule.enabled,
        }


class TryItForm(forms.Form):
    """A sample referral for the "try it" box."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.NOTICE)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    language = forms.CharField(label=_("Language"), required=False, max_length=2)
    submitter_kind = forms.ChoiceField(label=_("Submitter kind"), choices=SUBMITTER_KIND_CHOICES, initial="ngo")
    trusted_flagger = forms.BooleanField(label=_("Submitter is a trusted flagger"), required=False)
    corroborating_organisations = forms.IntegerField(
        label=_("Other organisations naming the same accounts"), min_value=0, max_value=100, initial=0
    )


# --- Team notes and escalation (SPEC §15) ---------------------------------------------------------


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Team note"),
        max_length=notes.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by platform staff only, never by the submitter (up to 5,000 characters)."),
        error_messages={"required": _("Write the note.")},
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the queue leads should take it"),
        max_length=escalation.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by platform staff only. The referral leaves you and waits for a lead; its deadline stays."),
        error_messages={"required": _("Say why the queue leads should take this referral.")},
    )
