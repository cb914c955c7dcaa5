"""Law-enforcement endpoints: the feedback to the authority on a decided removal order."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals import selectors
from referrals.law_enforcement import selectors as le_selectors
from referrals.permissions import can_see_feedback
from referrals.services.audit import referral_audit_viewed


class GroundSerializer(serializers.Serializer):
    ground = serializers.CharField()
    label = serializers.CharField()


class NonComplianceSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["force_majeure", "manifest_error", "insufficient_information"])
    label = serializers.CharField()
    explanation = serializers.CharField()


class ReversalSerializer(serializers.Serializer):
    reversed_at = serializers.DateTimeField()
    after = serializers.ChoiceField(choices=["appeal", "complaint"], help_text="What the reversal answered")
    statement = serializers.CharField(help_text="The platform's reasons for reversing")


class FeedbackSerializer(serializers.Serializer):
    """Documents the shape of `le_selectors.removal_order_feedback`."""

    reference = serializers.CharField()
    id = serializers.UUIDField()
    kind = serializers.CharField()
    issuing_authority = serializers.CharField()
    authority_reference = serializers.CharField()
    legal_basis = serializers.CharField()
    legal_grounds = GroundSerializer(many=True)
    targets = serializers.ListField(child=serializers.URLField())
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField()
    paused_minutes = serializers.FloatField(help_text="Time the clock waited on the authority's clarification")
    minutes_to_decision = serializers.FloatField(help_text="From receipt to decision, pauses excluded")
    on_time = serializers.BooleanField(help_text="Decided within the 60 minutes (plus any pause)")
    deadline = serializers.CharField()
    complied = serializers.BooleanField(help_text="The content was removed or disabled")
    action = serializers.CharField()
    action_label = serializers.CharField()
    ground = serializers.CharField()
    policy = serializers.CharField()
    statement_of_reasons = serializers.CharField()
    territorial_scope = serializers.ListField(child=serializers.CharField())
    non_compliance_reason = NonComplianceSerializer(allow_null=True)
    reversal = ReversalSerializer(allow_null=True, help_text="A removal reversed on review: the content is reinstated")


# Feedback does not exist for anyone else who can see the referral: 404, not 403.
SeesFeedback = permission_from(can_see_feedback, takes_object=True, not_found=True)


class ReferralFeedback(APIView):
    permission_classes = [IsAuthenticated, SeesFeedback]

    @extend_schema(
        responses={200: FeedbackSerializer, 404: OpenApiResponse(description="Not visible, or not a decided order")},
        description="Feedback to the issuing authority on a decided removal order: what was done, when, and "
        "the reason when the platform could not comply. For the requesting agency and platform roles.",
    )
    def get(self, request, id):
        referral = get_object_or_404(selectors.referrals_visible_to(request.user), id=id)
        self.check_object_permissions(request, referral)
        if not le_selectors.feedback_available(referral):
            raise Http404
        referral_audit_viewed(referral, by=request.user, request=request, view="api.feedback")
        return Response(le_selectors.removal_order_feedback(referral))
