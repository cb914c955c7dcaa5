"""Appeal and complaint endpoints of SPEC §16.

- `POST /api/v1/referrals/{id}/appeal/` `{"reason"}` → 201: the submitting organisation,
  once, within six months of the decision (others who see the referral: 403; 409 when it
  cannot be appealed any more).
- `POST /api/v1/referrals/{id}/complaints/` `{"reason"}` → 201: platform roles record the
  account holder's complaint; partners: 404.
- `GET /api/v1/appeals/`, `GET /api/v1/appeals/{id}/`: scoped (a submitter sees its own
  organisation's appeals, never a complaint nor who decided; platform roles see all).
- `POST /api/v1/appeals/{id}/decision/` `{"outcome", "statement"}` → 200: reviewers and
  queue leads other than the original decider (403 with the reason); partners: 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.pagination import CursorPagination
from portal.parsers import JSONParser
from portal.permissions import permission_from
from referrals import selectors
from referrals.models import AppealSource, AppealStatus
from referrals.redress import selectors as redress_selectors
from referrals.redress import services
from referrals.redress.permissions import can_appeal, can_decide_appeals, can_record_complaints, can_see_appeals
from referrals.redress.serializers import AppealDecisionInputSerializer, AppealReasonInputSerializer, AppealSerializer

SeesAppeals = permission_from(can_see_appeals, not_found=True)
RecordsComplaints = permission_from(can_record_complaints, not_found=True)
Appeals = permission_from(
    can_appeal,
    takes_object=True,
    message=gettext_lazy("Only the organisation that filed this referral may appeal its decision."),
)
DecidesAppeals = permission_from(
    can_decide_appeals, message=gettext_lazy("Only reviewers and queue leads decide appeals.")
)

ERRORS = {
    400: OpenApiResponse(description="{field: [messages]}"),
    403: OpenApiResponse(description="`{detail}`: not yours to do"),
    404: OpenApiResponse(description="Not found, or not for you"),
    409: OpenApiResponse(description="`{detail}`: not in a state that allows it"),
}


def _context(request) -> dict:
    return {"request": request, "platform": can_see_appeals(request.user)}


def _referral(request, id):
    return get_object_or_404(selectors.referrals_visible_to(request.user), id=id)


def _answer(request, appeal, code=status.HTTP_200_OK) -> Response:
    fresh = redress_selectors.appeals_visible_to(request.user).get(pk=appeal.pk)
    return Response(AppealSerializer(fresh, context=_context(request)).data, status=code)


class ReferralAppeal(APIView):
    permission_classes = [IsAuthenticated, Appeals]
    parser_classes = [JSONParser]

    @extend_schema(
        request=AppealReasonInputSerializer,
        responses={201: AppealSerializer, **ERRORS},
        description="Appeal the decision on a referral (DSA Art. 20): its organisation only, once, within "
        "six months (183 days) of the decision; `reason` 20-5,000 characters.",
    )
    def post(self, request, id):
        referral = _referral(request, id)
        self.check_object_permissions(request, referral)
        data = AppealReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_file(by=request.user, referral=referral, request=request, **data.validated_data)
        return _answer(request, appeal, status.HTTP_201_CREATED)


class ReferralComplaints(APIView):
    permission_classes = [IsAuthenticated, RecordsComplaints]
    parser_classes = [JSONParser]

    @extend_schema(
        request=AppealReasonInputSerializer,
        responses={201: AppealSerializer, **ERRORS},
        description="Record a complaint from the affected account holder against the restriction the "
        "referral's decision imposed (`source: account_holder`). Platform roles; anyone else gets 404.",
    )
    def post(self, request, id):
        referral = _referral(request, id)
        data = AppealReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.complaint_record(by=request.user, referral=referral, request=request, **data.validated_data)
        return _answer(request, appeal, status.HTTP_201_CREATED)


class AppealPagination(CursorPagination):
    ordering = ("-filed_at",)


class AppealList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = AppealSerializer
    pagination_class = AppealPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(AppealStatus.values)),
            OpenApiParameter("source", OpenApiTypes.STR, enum=list(AppealSource.values)),
        ],
        description="Appeals, newest first: a submitter's organisation's own, every appeal and complaint for "
        "platform roles.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        appeals = redress_selectors.appeals_visible_to(self.request.user)
        params = self.request.query_params
        if params.get("status") in AppealStatus.values:
            appeals = appeals.filter(status=params["status"])
        if params.get("source") in AppealSource.values:
            appeals = appeals.filter(source=params["source"])
        return appeals

    def get_serializer_context(self):
        return _context(self.request)


class AppealDetail(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = AppealSerializer
    lookup_field = "pk"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return redress_selectors.appeals_visible_to(self.request.user)

    def get_serializer_context(self):
        return _context(self.request)


class AppealDecision(APIView):
    permission_classes = [IsAuthenticated, SeesAppeals, DecidesAppeals]
    parser_classes = [JSONParser]

    @extend_schema(
        request=AppealDecisionInputSerializer,
        responses={200: AppealSerializer, **ERRORS},
        description="Decide an appeal or complaint: `upheld` (the decision stands) or `reversed` (a restriction "
        "is lifted at once; a decision that restricted nothing goes back to its queue with 50 points). "
        "Reviewers and queue leads, never the person who took the decision (403).",
    )
    def post(self, request, id):
        appeal = get_object_or_404(redress_selectors.appeals_visible_to(request.user), pk=id)
        data = AppealDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appeal_decide(by=request.user, appeal=appeal, request=request, **data.validated_data)
        return _answer(request, appeal)
