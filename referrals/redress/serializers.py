"""API shapes of appeals and complaints (SPEC §16).

One partner-facing shape: an appeal as its appellant organisation reads it (never who
decided it, who recorded anything, or a complaint, which partners never get). Platform roles
get the same fields plus who filed, recorded and decided, and the original decider.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from referrals.models import Appeal, AppealOutcome
from referrals.redress.selectors import appeal_brief


class AppealReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=20000, help_text="20-5,000 characters (format characters removed, trimmed)", trim_whitespace=False
    )


class AppealDecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AppealOutcome.choices)
    statement = serializers.CharField(max_length=20000, help_text="The reasons for the outcome, 20-5,000 characters")


class AppealedDecisionSerializer(serializers.Serializer):
    action = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


PLATFORM_ONLY_FIELDS = ("reference", "filed_by", "recorded_by", "decided_by", "original_decided_by", "queue")


class AppealSerializer(serializers.ModelSerializer):
    """Fields of PLATFORM_ONLY_FIELDS only when the context says `platform`."""

    referral = serializers.UUIDField(source="referral.id", read_only=True)
    reference = serializers.CharField(source="referral.reference", read_only=True)
    outcome = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField(help_text="The decision appealed, as it was when appealed")
    filed_by = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    original_decided_by = serializers.SerializerMethodField()
    queue = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "status",
            "source",
            "referral",
            "reason",
            "filed_at",
            "due_at",
            "outcome",
            "statement",
            "decided_at",
            "decision",
            *PLATFORM_ONLY_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=AppealOutcome.choices, allow_null=True))
    def get_outcome(self, appeal):
        return appeal.outcome or None

    @extend_schema_field(AppealedDecisionSerializer)
    def get_decision(self, appeal):
        return {"action": appeal.original_action, "decided_at": (appeal.original or {}).get("decided_at")}

    def _email(self, user) -> str | None:
        return user.email if user is not None else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_filed_by(self, appeal):
        return self._email(appeal.filed_by) if self.context.get("platform") else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_recorded_by(self, appeal):
        return self._email(appeal.recorded_by) if self.context.get("platform") else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_decided_by(self, appeal):
        return self._email(appeal.decided_by) if self.context.get("platform") else None

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_original_decided_by(self, appeal):
        return self._email(appeal.original_decided_by) if self.context.get("platform") else None

    def to_representation(self, appeal):
        data = super().to_representation(appeal)
        if not self.context.get("platform"):
            for name in PLATFORM_ONLY_FIELDS:
                data.pop(name, None)
        return data


class AppealBriefSerializer(serializers.Serializer):
    """The referral's `appeal` (SPEC §16): the notifier's appeal, or null."""

    id = serializers.UUIDField()
    status = serializers.CharField()
    outcome = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


def appeal_field(referral) -> dict | None:
    """The referral representation's `appeal`: `null` or `{id, status, outcome, decided_at}`."""
    brief = appeal_brief(referral)
    return AppealBriefSerializer(brief).data if brief is not None else None
