"""`POST /api/v1/referrals/{id}/escalate/` (SPEC §15): the assignee hands the referral to the
queue leads. Partners: 404 (escalation does not exist for them); any other platform member
but the assignee: 403, before the body is read; a closed referral: 409."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals import selectors
from referrals.intake.api.serializers import ReferralSerializer
from referrals.review.permissions import can_escalate, can_see_queues
from referrals.review.services import escalation


class EscalateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=escalation.REASON_MAX, help_text="Why the queue leads should take it; platform staff only"
    )


SeesQueues = permission_from(can_see_queues, not_found=True)
Escalates = permission_from(
    can_escalate,
    takes_object=True,
    message=gettext_lazy("Only the reviewer assigned to this referral may escalate it."),
)


class ReferralEscalate(APIView):
    permission_classes = [IsAuthenticated, SeesQueues, Escalates]

    @extend_schema(
        request=EscalateInputSerializer,
        responses={
            200: ReferralSerializer,
            400: OpenApiResponse(description="{reason: [messages]}"),
            409: OpenApiResponse(description="Closed, or already with the queue leads"),
        },
        description="Move the referral to the queue leads' `escalations` queue, unassigned, keeping its "
        "`due_at`; the leads are alerted. Internal to the platform: the submitter never sees it.",
    )
    def post(self, request, id):
        referral = get_object_or_404(selectors.referrals_visible_to(request.user), id=id)
        self.check_object_permissions(request, referral)
        data = EscalateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        escalation.referral_escalate(by=request.user, referral=referral, request=request, **data.validated_data)
        fresh = selectors.referrals_visible_to(request.user).get(pk=referral.pk)
        return Response(ReferralSerializer(fresh, context={"request": request, "platform": True}).data)
