"""API shapes of referrals (SPEC §3.2). Partners never see queue, priority, assignee,
routing reasons, related counts or any reviewer's identity; platform roles do."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from referrals.choices import RequestedData
from referrals.engine import legal
from referrals.models import BulkJob, Category, Detector, Evidence, Kind, Referral, Severity
from referrals.redress.serializers import AppealBriefSerializer, appeal_field

# --- Input (validation itself lives in referrals.intake.services.validation.referral_clean) --


class TargetInputSerializer(serializers.Serializer):
    url = serializers.CharField(required=False, help_text="http(s) URL of the account or the content")
    platform = serializers.CharField(required=False, help_text="With `account`, instead of a URL (e.g. `x`)")
    account = serializers.CharField(required=False, help_text="Handle, with or without @")
    content_id = serializers.CharField(required=False)
    posted_at = serializers.DateTimeField(
        required=False, help_text="When the content was posted, if known (ISO 8601): the statement of reasons' date"
    )


class ReferralInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, help_text="Optional for emergency_request (imminent)")
    explanation = serializers.CharField(min_length=20, max_length=5000)
    targets = TargetInputSerializer(many=True, help_text="1-100 targets")
    language = serializers.CharField(required=False, help_text="ISO 639-1")
    country = serializers.CharField(required=False, help_text="ISO 3166-1 alpha-2")
    good_faith_confirmed = serializers.BooleanField(required=False, help_text="Must be true for notice")
    authority_reference = serializers.CharField(required=False, help_text="Required for law-enforcement kinds")
    legal_basis = serializers.CharField(required=False, help_text="Required for legal kinds")
    issuing_authority = serializers.CharField(required=False, help_text="Required for removal_order")
    legal_grounds = serializers.ListField(
        child=serializers.ChoiceField(choices=legal.GROUNDS),
        required=False,
        help_text="removal_order only, at least one: the grounds of Regulation (EU) 2021/784 Art. 2(7)",
    )
    preserve_until = serializers.DateField(required=False, help_text="preservation_request only; default +90 days")
    threat_description = serializers.CharField(
        required=False, help_text="Required for emergency_request (20-5,000 characters): the danger to life or limb"
    )
    persons_at_risk = serializers.CharField(
        required=False, max_length=2000, help_text="Required for emergency_request: who is in danger"
    )
    requested_data = serializers.ListField(
        child=serializers.ChoiceField(choices=RequestedData.choices),
        required=False,
        help_text="emergency_request only, at least one: what is to be disclosed",
    )
    attestation = serializers.BooleanField(
        required=False,
        help_text="Must be true for emergency_request: an emergency involving danger of death or serious physical "
        "injury to a person, requiring disclosure without delay",
    )
    signal_reasons = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        max_length=20,
        help_text="signal only (reviewers and queue leads), optional: why it was raised, sentences for the reviewers",
    )


class WithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class MessageSerializer(serializers.Serializer):
    """One message (SPEC §17): `{at, from, body}`; platform roles also read `author`."""

    at = serializers.DateTimeField()
    # `from` is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.ChoiceField(choices=["submitter", "platform"])
    body = serializers.CharField()
    author = serializers.EmailField(
        required=False, allow_null=True, help_text="Platform roles only: who wrote it (null once the account is gone)"
    )

    def to_representation(self, message: dict) -> dict:
        data = super().to_representation(message)
        if "author" not in message:  # a partner reads no author (referrals.selectors.referral_messages)
            data.pop("author", None)
        return data


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class BulkInputSerializer(serializers.Serializer):
    items = ReferralInputSerializer(many=True, required=False, help_text="At most 10,000; or upload `file`")
    file = serializers.FileField(
        required=False,
        help_text="CSV with header kind,category,severity,explanation,targets,language,country,"
        "good_faith_confirmed,authority_reference,legal_basis,issuing_authority,legal_grounds,preserve_until,"
        "threat_description,persons_at_risk,requested_data,attestation[,signal_reasons]; targets and legal grounds "
        "separated by spaces or |, requested data by ; or |, signal reasons one per line",
    )


# --- Output --------------------------------------------------------------------------------


class TargetSerializer(serializers.Serializer):
    url = serializers.CharField()
    platform = serializers.CharField()
    account = serializers.CharField()
    content_id = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)
    subject = serializers.UUIDField(source="subject_id", allow_null=True)


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    available = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "available", "download"]

    def get_available(self, evidence) -> bool:
        return evidence.file_deleted_at is None

    def get_download(self, evidence) -> str:
        return f"/api/v1/referrals/{evidence.referral.id}/evidence/{evidence.id}/"

    def to_representation(self, evidence):
        data = super().to_representation(evidence)
        if self.context.get("platform"):
            data["known_content"] = bool(getattr(evidence, "known_content", False))
        return data


class DecisionSerializer(serializers.Serializer):
    action = serializers.CharField()
    ground = serializers.CharField()
    policy = serializers.CharField()
    statement_of_reasons = serializers.CharField()
    territorial_scope = serializers.ListField(child=serializers.CharField())
    restriction_end = serializers.DateField(allow_null=True)
    non_compliance_reason = serializers.CharField(help_text="unable_to_comply on a removal order: why (else empty)")
    decided_at = serializers.DateTimeField()


class OrganisationRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


PLATFORM_FIELDS = (
    "queue",
    "priority",
    "assignee",
    "routing_reasons",
    "routed_at",
    "related_count",
    # What raised a signal and why (SPEC §14): partners never see signals, nor these.
    "detector",
    "signal_reasons",
)


class ReferralSerializer(serializers.ModelSerializer):
    """Platform-only fields are present only when the context says `platform`."""

    reference = serializers.CharField(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    targets = TargetSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    decision = serializers.SerializerMethodField()
    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assignee = serializers.SerializerMethodField()
    related_count = serializers.SerializerMethodField()
    legal_grounds = serializers.ListField(child=serializers.CharField(), read_only=True)
    appeal = serializers.SerializerMethodField()
    detector = serializers.SerializerMethodField()
    signal_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    requested_data = serializers.ListField(
        child=serializers.ChoiceField(choices=RequestedData.choices),
        read_only=True,
        help_text="emergency_request: what is to be disclosed (else empty)",
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "kind",
            "category",
            "severity",
            "status",
            "explanation",
            "targets",
            "language",
            "country",
            "good_faith_confirmed",
            "authority_reference",
            "legal_basis",
            "issuing_authority",
            "legal_grounds",
            "preserve_until",
            # An emergency request's (SPEC §17); other kinds give "", [] and false.
            "threat_description",
            "persons_at_risk",
            "requested_data",
            "attestation",
            "organisation",
            "received_at",
            "due_at",
            "decided_at",
            "breached",
            "decision",
            "appeal",
            "evidence",
            *PLATFORM_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, referral):
        decision = getattr(referral, "decision", None)
        return DecisionSerializer(decision).data if decision is not None else None

    @extend_schema_field(AppealBriefSerializer(allow_null=True))
    def get_appeal(self, referral):
        """The notifier's appeal of the decision (SPEC §16), or null."""
        return appeal_field(referral)

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_assignee(self, referral):
        if not self.context.get("platform"):
            # Dropped for partners below; the selector does not join it for them, so reading
            # it here would cost one query per assigned row.
            return None
        return referral.assignee.email if referral.assignee_id else None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Detector.choices, allow_null=True, help_text="signal only: what raised it (platform roles)"
        )
    )
    def get_detector(self, referral):
        return referral.detector or None

    def get_related_count(self, referral) -> int:
        return getattr(referral, "related_count", 0)

    def to_representation(self, referral):
        data = super().to_representation(referral)
        if not self.context.get("platform"):
            for name in PLATFORM_FIELDS:
                data.pop(name, None)
        return data


class NewReferralSerializer(serializers.BaseSerializer):
    """`ReferralSerializer`'s representation, key for key and value for value, of a referral
    `referral_submit` has just created: the create response, the intake's hot path.

    A `ModelSerializer` builds its thirty fields again for every instance (about as long as
    the referral's inserts); this builds the dictionary from DRF's own field formats, made
    once. tests/referrals/intake/test_intake_response.py holds the two to the same bytes for
    every kind, for partners and platform roles: a field added to `ReferralSerializer` must
    be added here too."""

    _text = serializers.CharField()
    _choice = serializers.CharField()  # a stored choice is its value, which is what a ChoiceField gives
    _uuid = serializers.UUIDField()
    _flag = serializers.BooleanField()
    _date = serializers.DateField()
    _datetime = serializers.DateTimeField()

    @staticmethod
    def _or_none(field, value):
        return None if value is None else field.to_representation(value)

    def to_representation(self, referral: Referral) -> dict:
        text, choice, moment = self._text.to_representation, self._choice.to_representation, self._datetime
        flag, or_none = self._flag.to_representation, self._or_none
        organisation = referral.organisation
        data = {
            "id": self._uuid.to_representation(referral.id),
            "reference": text(referral.reference),
            "kind": choice(referral.kind),
            "category": choice(referral.category),
            "severity": choice(referral.severity),
            "status": choice(referral.status),
            "explanation": text(referral.explanation),
            "targets": [
                {
                    "url": text(t.url),
                    "platform": text(t.platform),
                    "account": text(t.account),
                    "content_id": text(t.content_id),
                    "posted_at": or_none(moment, t.posted_at),
                    "subject": or_none(self._uuid, t.subject_id),
                }
                for t in referral.targets.all()
            ],
            "language": text(referral.language),
            "country": text(referral.country),
            "good_faith_confirmed": flag(referral.good_faith_confirmed),
            "authority_reference": text(referral.authority_reference),
            "legal_basis": text(referral.legal_basis),
            "issuing_authority": text(referral.issuing_authority),
            "legal_grounds": [or_none(self._text, g) for g in referral.legal_grounds],
            "preserve_until": or_none(self._date, referral.preserve_until),
            "threat_description": text(referral.threat_description),
            "persons_at_risk": text(referral.persons_at_risk),
            "requested_data": [or_none(self._choice, d) for d in referral.requested_data],
            "attestation": flag(referral.attestation),
            "organisation": {
                "slug": text(organisation.slug),
                "name": text(organisation.name),
                "kind": text(organisation.kind),
            },
            "received_at": or_none(moment, referral.received_at),
            "due_at": or_none(moment, referral.due_at),
            "decided_at": or_none(moment, referral.decided_at),
            "breached": flag(referral.breached),
        }
        decision = getattr(referral, "decision", None)
        data["decision"] = DecisionSerializer(decision).data if decision is not None else None
        data["appeal"] = appeal_field(referral)
        evidence = referral.evidence.all()
        data["evidence"] = EvidenceSerializer(evidence, many=True, context=self.context).data if evidence else []
        if self.context.get("platform"):
            data.update(
                queue=referral.queue.slug if referral.queue_id else None,
                priority=int(referral.priority),
                assignee=referral.assignee.email if referral.assignee_id else None,
                routing_reasons=referral.routing_reasons,
                routed_at=or_none(moment, referral.routed_at),
                related_count=getattr(referral, "related_count", 0),
                detector=referral.detector or None,
                signal_reasons=[or_none(self._text, r) for r in referral.signal_reasons],
            )
        return data


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    type = serializers.CharField()
    actor = serializers.CharField(help_text='"Platform reviewer" for platform staff when a partner asks')
    message = serializers.CharField()


class BulkJobSerializer(serializers.ModelSerializer):
    errors = serializers.ListField(child=serializers.DictField(), help_text="[{row, errors: {field: [messages]}}]")

    class Meta:
        model = BulkJob
        fields = ["id", "status", "total", "processed", "created", "failed", "errors", "created_at", "finished_at"]
        read_only_fields = fields


class BulkAcceptedSerializer(serializers.Serializer):
    job = serializers.UUIDField()
