"""Referral endpoints of SPEC §9 for submitters and everyone who may read referrals.

Every object is fetched through `referrals_visible_to`, so another organisation's referral
is a 404; a visible referral the caller may not act on is a 403.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import DomainError
from portal.pagination import CursorPagination
from portal.parsers import JSONParser
from portal.permissions import permission_from
from referrals import selectors
from referrals.filters import ReferralFilter
from referrals.intake.api.serializers import (
    BulkAcceptedSerializer,
    BulkInputSerializer,
    BulkJobSerializer,
    EventSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    MessageInputSerializer,
    MessageSerializer,
    NewReferralSerializer,
    ReferralInputSerializer,
    ReferralSerializer,
    WithdrawInputSerializer,
)
from referrals.intake.downloads import evidence_response
from referrals.intake.services import bulk, evidence, idempotency
from referrals.intake.services import filing as intake
from referrals.models import Referral
from referrals.permissions import can_file
from referrals.services.audit import referral_audit_viewed
from referrals.services.messages import message_post
from referrals.services.reads import referrals_read_audit

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Replays the first response for 24 hours; 422 with another body; 409 while in flight.",
)


# Who may file which kind is the service's business (with its own messages); bulk is refused
# up front, before the upload is read or an idempotency key reserved.
FilesReferrals = permission_from(can_file, message=gettext_lazy("Your role does not file referrals."))


class ReferralPagination(CursorPagination):
    ordering = "-seq"


def _context(request) -> dict:
    return {"request": request, "platform": selectors.is_platform_staff(request.user)}


def _referral(request, id) -> Referral:
    return get_object_or_404(selectors.referrals_visible_to(request.user), id=id)


def _invalid(exc: intake.ReferralInvalid):
    return serializers.ValidationError(exc.errors)


class ReferralListCreate(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReferralSerializer
    pagination_class = ReferralPagination
    filterset_class = ReferralFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        return selectors.referrals_visible_to(self.request.user)

    def get_serializer_context(self):
        return _context(self.request)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        request = self.request
        filters = {k: v for k, v in request.query_params.items() if k in ReferralFilter.base_filters}
        referrals_read_audit(
            user=request.user, referrals=page or (), view="api.referrals", filters=filters, request=request
        )
        return page

    @extend_schema(
        request=ReferralInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: ReferralSerializer, 400: OpenApiResponse(description="{field: [messages]}")},
    )
    def post(self, request):
        def create():
            try:
                referral = intake.referral_submit(user=request.user, data=request.data, request=request)
            except intake.ReferralInvalid as exc:
                raise _invalid(exc) from None
            # The service hands back the referral with its targets and evidence in hand; the
            # submitter may see it by definition, so it is not read again through the selector.
            return status.HTTP_201_CREATED, NewReferralSerializer(referral, context=_context(request)).data

        return idempotent(request, "referrals.create", request.data, create)


def idempotent(request, endpoint: str, payload, work) -> Response:
    """Run `work() -> (status, body)` at most once per Idempotency-Key (SPEC §9)."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        code, body = _run(work)
        return Response(body, status=code)
    record, replay = idempotency.idempotency_reserve(
        user=request.user, endpoint=endpoint, key=key, request_hash=idempotency.fingerprint(payload)
    )
    if replay:
        return Response(record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
    try:
        code, body = _run(work)
    except BaseException:
        idempotency.idempotency_abandon(record=record)
        raise
    idempotency.idempotency_finish(record=record, status_code=code, body=body)
    return Response(body, status=code)


def _run(work):
    """Refusals are responses worth replaying too, so turn them into (status, body) here."""
    try:
        return work()
    except serializers.ValidationError as exc:
        return 400, exc.detail
    except DomainError as exc:
        body = {exc.field: [exc.message]} if exc.field and exc.status_code == 400 else {"detail": exc.message}
        return exc.status_code, body


class ReferralDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ReferralSerializer)
    def get(self, request, id):
        referral = _referral(request, id)
        referral_audit_viewed(referral, by=request.user, request=request)
        return Response(ReferralSerializer(referral, context=_context(request)).data)


class ReferralEvents(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=EventSerializer(many=True),
        description="The whole timeline, oldest first, as a plain list (not paginated).",
    )
    def get(self, request, id):
        referral = _referral(request, id)
        referral_audit_viewed(referral, by=request.user, request=request)
        return Response(EventSerializer(selectors.referral_events(request.user, referral), many=True).data)


class EvidenceUpload(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": EvidenceUploadSerializer}, responses={201: EvidenceSerializer})
    def post(self, request, id):
        referral = _referral(request, id)
        uploads = request.FILES.getlist("file")
        if len(uploads) != 1:
            raise serializers.ValidationError({"file": [_("Upload one file as the multipart field “file”.")]})
        try:
            (row,) = evidence.evidence_add(referral=referral, uploads=uploads, user=request.user, request=request)
        except evidence.EvidenceRejected as exc:
            raise serializers.ValidationError({"file": [exc.message]}) from None
        return Response(EvidenceSerializer(row, context=_context(request)).data, status=status.HTTP_201_CREATED)


class EvidenceDownload(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 410: None})
    def get(self, request, id, evidence_id):
        referral = _referral(request, id)
        row = get_object_or_404(selectors.evidence_visible_to(request.user), referral=referral, id=evidence_id)
        return evidence_response(request, row)


class ReferralWithdraw(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=WithdrawInputSerializer, responses=ReferralSerializer)
    def post(self, request, id):
        referral = _referral(request, id)
        data = WithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intake.referral_withdraw(
            referral=referral, user=request.user, reason=data.validated_data.get("reason", ""), request=request
        )
        return Response(ReferralSerializer(_referral(request, id), context=_context(request)).data)


class ReferralMessages(APIView):
    """Messages both ways (SPEC §17): the submitting organisation and platform roles read them;
    the submitting organisation and the platform staff working the referral write, until it
    closes (409). Another organisation's referral is a 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=MessageSerializer(many=True),
        description="The messages, oldest first, as a plain list (not paginated). Partners read the platform's "
        'side as `from: "platform"` and never its author.',
    )
    def get(self, request, id):
        referral = _referral(request, id)
        referral_audit_viewed(referral, by=request.user, request=request, view="messages")
        return Response(MessageSerializer(selectors.referral_messages(request.user, referral), many=True).data)

    @extend_schema(
        request=MessageInputSerializer,
        responses={
            200: ReferralSerializer,
            400: OpenApiResponse(description="{body: [messages]}"),
            403: OpenApiResponse(description="Policy staff, or a reviewer outside the referral's queue"),
            409: OpenApiResponse(description="The referral is closed, or a signal"),
        },
        description="Write a message; the answer is the referral. The submitter's message while it is "
        "`needs_info` answers the request for information: back to `routed`, the clock resumes.",
    )
    def post(self, request, id):
        referral = _referral(request, id)
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message_post(by=request.user, referral=referral, body=data.validated_data["body"], request=request)
        return Response(ReferralSerializer(_referral(request, id), context=_context(request)).data)


class BulkCreate(APIView):
    permission_classes = [IsAuthenticated, FilesReferrals]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        request={"application/json": BulkInputSerializer, "multipart/form-data": BulkInputSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={202: BulkAcceptedSerializer},
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size > bulk.MAX_CSV_BYTES:
                raise serializers.ValidationError({"file": [_("The CSV file is larger than 25 MB; split it.")]})
            raw = upload.read()
            payload = raw
        else:
            raw = None
            payload = request.data

        def create():
            if raw is not None:
                items = bulk.parse_csv(raw)
            elif hasattr(request.data, "get") and "items" in request.data:
                items = bulk.items_from_json(request.data["items"])
            else:
                raise serializers.ValidationError({"items": [_('Send {"items": [...]} or a CSV as “file”.')]})
            job = bulk.bulk_job_create(user=request.user, items=items, request=request)
            return status.HTTP_202_ACCEPTED, {"job": str(job.id)}

        return idempotent(request, "referrals.bulk", payload, create)


class JobDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BulkJobSerializer)
    def get(self, request, id):
        job = get_object_or_404(selectors.bulk_jobs_of(request.user), id=id)
        return Response(BulkJobSerializer(job).data)
