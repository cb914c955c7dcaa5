"""`/api/v1/referrals/{id}/productions/` (SPEC §17): data the platform delivers to the agency
that made a request.

- `POST` (the request's assignee or a queue lead; multipart `file`) → 201;
- `GET` (the requesting agency, platform roles) → the productions as a plain list, oldest
  first, like the referral's events and messages (a request has a handful, never a page);
- `GET .../{production_id}/` streams one while it is available, then 410.

Another agency's request, any referral that is not a law-enforcement request, and a production
of another referral are 404.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals import selectors
from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.downloads import production_response
from referrals.law_enforcement.permissions import can_deliver_production, can_see_productions
from referrals.law_enforcement.services import productions
from referrals.models import Referral
from referrals.services.audit import referral_audit_viewed


class ProductionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(help_text="The uploaded file's name")
    size = serializers.IntegerField(help_text="Bytes")
    sha256 = serializers.CharField(help_text="SHA-256 of the file, hex")
    available_until = serializers.DateTimeField(help_text="Downloadable until then; 410 after")


class ProductionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV, JSON, ZIP, PNG, JPEG, WebP, GIF, PDF, MP4 or plain text, typed from its content; "
        "at most PORTAL_PRODUCTION_MAX_BYTES (100 MB)"
    )


ERRORS = {
    400: OpenApiResponse(description="{file: [messages]}: no file, a refused type, or too large"),
    403: OpenApiResponse(description="Not the request's assignee nor a queue lead"),
    404: OpenApiResponse(description="Not visible, or not a law-enforcement request"),
    409: OpenApiResponse(description="The request was withdrawn"),
}

# Productions exist only on law-enforcement requests, for the agency and the platform.
SeesProductions = permission_from(can_see_productions, takes_object=True, not_found=True)
# The agency and other reviewers are refused (403) before the upload is handled.
DeliversProductions = permission_from(
    can_deliver_production,
    takes_object=True,
    methods={"POST"},
    message=gettext_lazy("Only the reviewer the request is assigned to, or a queue lead, delivers data."),
)


def _referral(request, id) -> Referral:
    referral = get_object_or_404(selectors.referrals_visible_to(request.user), id=id)
    if not referral.is_law_enforcement:
        raise Http404
    return referral


class ReferralProductions(APIView):
    permission_classes = [IsAuthenticated, SeesProductions, DeliversProductions]
    parser_classes = [MultiPartParser]

    @extend_schema(
        responses={200: ProductionSerializer(many=True), 404: ERRORS[404]},
        description="The productions delivered on a law-enforcement request, oldest first, as a plain list "
        "(not paginated), expired ones included. For the requesting agency and platform roles.",
    )
    def get(self, request, id):
        referral = _referral(request, id)
        self.check_object_permissions(request, referral)
        referral_audit_viewed(referral, by=request.user, request=request, view="productions")
        rows = le_selectors.productions_of(request.user, referral)
        return Response(ProductionSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ProductionUploadSerializer},
        responses={201: ProductionSerializer, **ERRORS},
        description="Deliver a file of disclosed or preserved data to the requesting agency, whose liaisons are "
        "told it is ready. The request's assignee or a queue lead.",
    )
    def post(self, request, id):
        referral = _referral(request, id)
        self.check_object_permissions(request, referral)
        uploads = request.FILES.getlist("file")
        if len(uploads) != 1:
            raise serializers.ValidationError({"file": [_("Upload one file as the multipart field “file”.")]})
        production = productions.production_add(by=request.user, referral=referral, upload=uploads[0], request=request)
        return Response(ProductionSerializer(production).data, status=status.HTTP_201_CREATED)


class ProductionDownload(APIView):
    permission_classes = [IsAuthenticated, SeesProductions]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: ERRORS[404],
            410: OpenApiResponse(description='{"detail": …}: past its availability, or deleted'),
        },
        description="Download a production (audited, `Cache-Control: no-store`) until `available_until`.",
    )
    def get(self, request, id, production_id):
        referral = _referral(request, id)
        self.check_object_permissions(request, referral)
        production = get_object_or_404(le_selectors.productions_of(request.user, referral), id=production_id)
        return production_response(request, production)
