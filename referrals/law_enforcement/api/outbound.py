"""Outbound notices (SPEC §17, Contract; DSA Art. 18).

- `POST /api/v1/outbound-notices/` `{agency: org slug, summary, referral?: id, targets: [...]}`
  → 201: platform roles (anyone else 403); 400 `{field: [messages]}` with every problem.
- `GET /api/v1/outbound-notices/`: scoped (platform roles all; an agency's liaisons the
  agency's; anyone else an empty list), newest first, cursor-paginated.
- `GET /api/v1/outbound-notices/{id}/`: scoped, 404 outside.
- `POST /api/v1/outbound-notices/{id}/acknowledge/` → 200: the agency's liaisons (platform
  roles 403; anyone else 404). Acknowledging again changes nothing and answers 200.

Every read that returns notices is audited (`outbound_notice.view`).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.pagination import CursorPagination
from portal.parsers import JSONParser
from portal.permissions import permission_from
from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.permissions import can_acknowledge_outbound_notice, can_send_outbound_notices
from referrals.law_enforcement.services import outbound as services

SendsNotices = permission_from(
    can_send_outbound_notices,
    methods={"POST"},
    message=gettext_lazy("Only platform staff send notices to agencies."),
)
Acknowledges = permission_from(
    can_acknowledge_outbound_notice,
    takes_object=True,
    message=gettext_lazy("Only the agency's liaisons acknowledge its notices."),
)

ERRORS = {
    400: OpenApiResponse(description="{field: [messages]}; `targets` may hold one object per item"),
    403: OpenApiResponse(description="`{detail}`: not yours to do"),
    404: OpenApiResponse(description="Not found, or not for you"),
}


class NoticeTargetSerializer(serializers.Serializer):
    url = serializers.CharField(required=False)
    platform = serializers.CharField()
    account = serializers.CharField(allow_blank=True)
    content_id = serializers.CharField(allow_blank=True)


class OutboundNoticeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    agency = serializers.CharField(source="agency.slug", help_text="The agency's slug")
    summary = serializers.CharField()
    referral = serializers.SerializerMethodField(help_text="The referral it is about, or null")
    targets = NoticeTargetSerializer(many=True, help_text="The accounts, normalised as a referral's targets")
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)

    def get_referral(self, notice) -> str | None:
        # Another organisation's referral is platform-only: the agency reads null then.
        shown = le_selectors.outbound_notice_referral_shown(self.context["request"].user, notice)
        return str(shown.id) if shown else None


class OutboundNoticeInputSerializer(serializers.Serializer):
    """Documents the body; the service checks it, so every problem is reported at once."""

    agency = serializers.SlugField(help_text="The slug of a verified law-enforcement organisation")
    summary = serializers.CharField(help_text="20-5,000 characters")
    referral = serializers.UUIDField(required=False, allow_null=True)
    targets = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=100, help_text="`{url}` or `{platform, account}`"
    )


class NoticePagination(CursorPagination):
    ordering = ("-created_at", "pk")


def _invalid(exc: services.OutboundNoticeInvalid):
    return serializers.ValidationError(exc.errors)


class OutboundNoticeListCreate(generics.ListAPIView):
    permission_classes = [IsAuthenticated, SendsNotices]
    serializer_class = OutboundNoticeSerializer
    pagination_class = NoticePagination
    parser_classes = [JSONParser]

    def get_queryset(self):
        return le_selectors.outbound_notices_visible_to(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        services.outbound_notices_read_audit(
            user=self.request.user, notices=page or (), view="api.outbound_notices", request=self.request
        )
        return page

    @extend_schema(
        description="Notices sent to agencies, newest first: every notice for platform roles, the agency's "
        "own for its liaisons, none for anyone else."
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=OutboundNoticeInputSerializer,
        responses={201: OutboundNoticeSerializer, **ERRORS},
        description="Tell an agency of a suspected threat to life or safety (DSA Art. 18): platform roles. "
        "The agency's liaisons are notified in-app and by e-mail.",
    )
    def post(self, request):
        data = request.data if isinstance(request.data, Mapping) else {}
        try:
            notice = services.outbound_notice_create(
                by=request.user,
                agency_slug=data.get("agency"),
                summary=data.get("summary"),
                referral=data.get("referral"),
                targets=data.get("targets"),
                request=request,
            )
        except services.OutboundNoticeInvalid as exc:
            raise _invalid(exc) from None
        body = OutboundNoticeSerializer(notice, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class OutboundNoticeDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OutboundNoticeSerializer, 404: ERRORS[404]})
    def get(self, request, id):
        notice = get_object_or_404(le_selectors.outbound_notices_visible_to(request.user), id=id)
        services.outbound_notices_read_audit(
            user=request.user, notices=[notice], view="api.outbound_notice", request=request
        )
        return Response(OutboundNoticeSerializer(notice, context={"request": request}).data)


class OutboundNoticeAcknowledge(APIView):
    permission_classes = [IsAuthenticated, Acknowledges]

    @extend_schema(
        request=None,
        responses={200: OutboundNoticeSerializer, **ERRORS},
        description="The agency acknowledges the notice: its liaisons only. Once; acknowledging again "
        "changes nothing and answers 200 with the first acknowledgement.",
    )
    def post(self, request, id):
        notice = get_object_or_404(le_selectors.outbound_notices_visible_to(request.user), id=id)
        self.check_object_permissions(request, notice)
        notice = services.outbound_notice_acknowledge(by=request.user, notice=notice, request=request)
        return Response(OutboundNoticeSerializer(notice, context={"request": request}).data)
