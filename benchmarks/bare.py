"""The baseline of the intake figure: the same referral row created by a bare DRF
ModelSerializer and CreateAPIView, with the portal's authentication and nothing else (no
validation beyond the model's, no targets, subjects, timeline, audit, idempotency or
routing task)."""

from rest_framework import generics, serializers

from referrals.models import Referral


class BareReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = [
            "id",
            "kind",
            "category",
            "severity",
            "status",
            "explanation",
            "language",
            "country",
            "good_faith_confirmed",
            "received_at",
        ]
        read_only_fields = ["id", "status", "received_at"]


class BareReferralCreate(generics.CreateAPIView):
    serializer_class = BareReferralSerializer

    def perform_create(self, serializer):
        membership = self.request.user.membership
        serializer.save(organisation_id=membership.organisation_id, submitted_by=self.request.user)
