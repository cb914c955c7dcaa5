"""Forms of the partner pages. Validation of a filing is `referral_clean`, shared with the API."""

from __future__ import annotations

import json

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from referrals.choices import RequestedData
from referrals.engine import legal
from referrals.intake.services.bulk import targets_from_text
from referrals.intake.services.evidence import EvidenceRejected, evidence_inspect_all
from referrals.intake.services.validation import (
    EMERGENCY_FIELDS,
    FIELDS_BY_KIND,
    PERSONS_AT_RISK_MAX,
    REQUIRED_BY_KIND,
    THREAT_MAX,
    referral_clean,
)
from referrals.models import Category, Kind, Severity
from referrals.services.labels import engine_text_lazy


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _kinds_text(field: str, more: str = "") -> str:
    labels = ", ".join(str(Kind(k).label).lower() for k in FIELDS_BY_KIND[field])
    text = gettext("Needed for: %(kinds)s.") % {"kinds": labels}
    return f"{text} {more}" if more else text


# Lazy, so the help text is written in the language of the page that shows it.
_kinds_help = lazy(_kinds_text, str)


def _blank(choices) -> list:
    return [("", "—"), *choices]


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    category = forms.ChoiceField(label=_("Category"), choices=_blank(Category.choices))
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=_blank(Severity.choices),
        required=False,
        help_text=_("Emergency requests are always treated as imminent."),
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
        help_text=_("Why the content breaks the rules or the law (20–5,000 characters)."),
    )
    targets = forms.CharField(
        label=_("Targets"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_(
            "One per line: a URL (https://…) or platform:account, e.g. <code>telegram:channelname</code>. "
            "Up to 100. A removal order needs the exact URL of each item."
        ),
    )
    language = forms.CharField(
        label=_("Language"), required=False, max_length=8, help_text=_("Two-letter code of the content, e.g. en.")
    )
    country = forms.CharField(
        label=_("Country"), required=False, max_length=8, help_text=_("Two-letter country code, e.g. GB.")
    )
    good_faith_confirmed = forms.BooleanField(
        required=False,
        label=_("I confirm this notice is accurate and made in good faith"),
        help_text=_kinds_help("good_faith_confirmed"),
    )
    authority_reference = forms.CharField(
        required=False, max_length=120, label=_("Case number"), help_text=_kinds_help("authority_reference")
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"), required=False, max_length=300, help_text=_kinds_help("legal_basis")
    )
    issuing_authority = forms.CharField(
        label=_("Issuing authority"), required=False, max_length=200, help_text=_kinds_help("issuing_authority")
    )
    legal_grounds = forms.MultipleChoiceField(
        required=False,
        label=_("Grounds (Regulation (EU) 2021/784, Art. 2(7))"),
        choices=[(value, engine_text_lazy(label)) for value, label in legal.GROUNDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_kinds_help("legal_grounds", _("Choose every ground the order relies on.")),
    )
    preserve_until = forms.DateField(
        label=_("Preserve until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_kinds_help("preserve_until", _("Default: 90 days from today.")),
    )
    # An emergency request's own fields (SPEC §17).
    threat_description = forms.CharField(
        label=_("Threat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": THREAT_MAX}),
        help_text=_kinds_help(
            "threat_description",
            _("What is the danger of death or serious physical injury, and how soon (20–5,000 characters)?"),
        ),
    )
    persons_at_risk = forms.CharField(
        label=_("Persons at risk"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PERSONS_AT_RISK_MAX}),
        help_text=_kinds_help("persons_at_risk", _("Who is in danger, as precisely as you can say.")),
    )
    requested_data = forms.MultipleChoiceField(
        label=_("Data requested"),
        required=False,
        choices=RequestedData.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_kinds_help("requested_data", _("Choose only what you need to avert the danger.")),
    )
    attestation = forms.BooleanField(
        label=_(
            "I attest that this is an emergency involving danger of death or serious physical injury to a person, "
            "requiring disclosure without delay."
        ),
        required=False,
        help_text=_kinds_help("attestation"),
    )
    # Offered only to those who raise signals (SPEC §14); the reviewers read each line.
    signal_reasons = forms.CharField(
        label=_("Why (one reason per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Signals only, optional: what made you raise it, one sentence per line."),
    )
    evidence = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Screenshots, PDFs, videos or text files; up to 10 files of at most 25 MB each."),
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.fields["kind"].choices = [(k, Kind(k).label) for k in kinds]
        if Kind.SIGNAL not in kinds:
            del self.fields["signal_reasons"]
        if Kind.EMERGENCY_REQUEST not in kinds:
            for name in EMERGENCY_FIELDS:
                del self.fields[name]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self._mark_required(self.data.get("kind") if self.is_bound else self.initial.get("kind"))
        self.submission: dict = {}
        self.inspected: list = []

    def _mark_required(self, kind: str | None) -> None:
        """Mark the fields the chosen kind requires (the first offered kind when none is chosen
        yet, as the browser shows it); the form's script moves the marks when the kind changes."""
        kind = kind if kind in self.kinds else self.kinds[0] if self.kinds else None
        for name, kinds in REQUIRED_BY_KIND.items():
            field = self.fields.get(name)
            if field is None:  # not offered to this filer
                continue
            field.required_mark = kind in kinds  # read by includes/form.html
            if field.required_mark and not field.widget.use_fieldset:  # not on each box of a group
                field.widget.attrs.update({"required": True, "aria-required": "true"})

    @property
    def fields_by_kind_json(self) -> str:
        fields = {**FIELDS_BY_KIND, "signal_reasons": [Kind.SIGNAL]}
        return json.dumps({k: [str(x) for x in v] for k, v in fields.items()})

    @property
    def required_by_kind_json(self) -> str:
        return json.dumps({k: [str(x) for x in v] for k, v in REQUIRED_BY_KIND.items()})

    def clean(self):
        # The filing is checked as a whole even when some fields already failed, so one
        # submission shows every error, not the fields' first and the filing's on the next try.
        data = super().clean()
        submission = {k: v for k, v in data.items() if k not in ("targets", "evidence")}
        submission["targets"] = targets_from_text(data.get("targets", ""))
        result = referral_clean(submission, kinds_allowed=self.kinds)
        for field, messages in result.errors.items():
            if field in self.errors:
                if list(self.errors[field]) != [str(self.fields[field].error_messages["required"])]:
                    continue
                del self.errors[field]  # the filing's own words say more than "This field is required."
            if field == "targets" and messages and isinstance(messages[0], dict):
                messages = [
                    gettext("Line %(line)d: %(problems)s")
                    % {"line": n, "problems": " ".join(str(m) for ms in item.values() for m in ms)}
                    for n, item in enumerate(messages, start=1)
                    if item
                ]
            self.add_error(field if field in self.fields else None, messages)
        try:
            self.inspected = evidence_inspect_all(data.get("evidence") or [])
        except EvidenceRejected as exc:
            self.add_error("evidence", exc.message)
        self.submission = submission
        return data


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("Add evidence files"))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}), max_length=5000
    )


class MessageForm(ReplyForm):
    """A message on the referral page (SPEC §17); while information is asked, it is the answer."""

    def __init__(self, *args, answering: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not answering:
            self.fields["body"].label = _("Your message")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        required=False, label=_("Reason (optional)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8 CSV with the template's header; at most 10,000 rows.")
    )


class RenewalForm(forms.Form):
    preserve_until = forms.DateField(
        required=False,
        label=_("Preserve until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for another 90 days after the current end date."),
    )
