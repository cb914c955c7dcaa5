"""The incident's hash list (SPEC §18, Contract).

- `GET /api/v1/incidents/{slug}/hashes/` → `text/csv` `hash_type,hash,label`: one row per
  distinct hash (SHA-256 of each file, PDQ of each image) of the evidence of the incident's
  actioned referrals, for other platforms; platform roles (anyone else 404).
- `POST /api/v1/incidents/{slug}/hashes/` the same CSV, as the multipart field `file` or as a
  `text/csv` body (at most 20 MB and 100,000 rows): another platform's list, imported all or
  nothing → 201 `{imported, duplicates}` (200 when every hash was in the list already); the
  evidence matching one of its hashes is flagged known content. Policy staff and queue leads
  (reviewers 403, anyone else 404); 400 `{file: ["row N: …", …]}`, nothing stored.
"""

from __future__ import annotations

import json

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals.crisis.permissions import can_declare_incidents, can_see_incidents_in_full
from referrals.crisis.selectors import incidents_visible_to
from referrals.crisis.services import hashes as services

# The list does not exist for partners: 404, as for any outsider.
SeesInFull = permission_from(can_see_incidents_in_full, not_found=True)
Imports = permission_from(
    can_declare_incidents,
    methods={"POST"},
    message=gettext_lazy("Only policy staff and queue leads import hash lists."),
)


class CSVParser(BaseParser):
    """A `text/csv` body, kept as bytes for the service to read; refused past the size limit
    without reading the rest."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(services.MAX_BYTES + 1) if stream is not None else b""
        if len(raw) > services.MAX_BYTES:
            raise ValidationError({"file": [_("The file is larger than 20 MB; split it.")]})
        return raw


class CSVRenderer(BaseRenderer):
    """Lets a client ask for `text/csv`; the list itself is streamed by the view, and an
    error (a dict) is written as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str | bytes):
            return data
        return json.dumps(data).encode()


class HashImportSerializer(serializers.Serializer):
    imported = serializers.IntegerField(help_text="Hashes added to the incident's list")
    duplicates = serializers.IntegerField(help_text="Rows whose hash was in the list already, or repeated")


class HashFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV `hash_type,hash,label` (UTF-8), at most 20 MB and 100,000 rows")


class IncidentHashes(APIView):
    permission_classes = [IsAuthenticated, SeesInFull, Imports]
    parser_classes = [MultiPartParser, CSVParser]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def _incident(self, request, slug):
        return get_object_or_404(incidents_visible_to(request.user), slug=slug)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR, 404: OpenApiResponse(description="Not found, or not for you")},
        description="The hash list of the incident's actioned evidence, as CSV `hash_type,hash,label`: a "
        "`sha256` row for each file and a `pdq` row for each image, each hash once; the label is "
        "`counterpoint:<slug>:<category>`. Platform roles.",
    )
    def get(self, request, slug):
        incident = self._incident(request, slug)
        response = StreamingHttpResponse(services.hash_list_lines(incident), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{services.hash_list_filename(incident)}"'
        return response

    @extend_schema(
        request={"multipart/form-data": HashFileSerializer, "text/csv": OpenApiTypes.STR},
        responses={
            201: OpenApiResponse(HashImportSerializer, description="Hashes were added"),
            200: OpenApiResponse(HashImportSerializer, description="Every hash was in the list already"),
            400: OpenApiResponse(description='`{file: ["row N: …", …]}`: nothing was imported'),
            403: OpenApiResponse(description="`{detail}`: only policy staff and queue leads import lists"),
            404: OpenApiResponse(description="Not found, or not for you"),
        },
        description="Import another platform's hash list into the incident's, all or nothing; the evidence "
        "matching one of its hashes (the same SHA-256, or a PDQ hash within the near-duplicate distance) "
        "is flagged known content, and so is later evidence.",
    )
    def post(self, request, slug):
        incident = self._incident(request, slug)
        raw = self._raw(request)
        try:
            result = services.hash_list_import(by=request.user, incident=incident, raw=raw, request=request)
        except services.HashListRejected as exc:
            return Response({"file": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            HashImportSerializer(result).data,
            status=status.HTTP_201_CREATED if result.imported else status.HTTP_200_OK,
        )

    @staticmethod
    def _raw(request) -> bytes:
        if isinstance(request.data, bytes):
            return request.data
        uploads = request.FILES.getlist("file")
        if len(uploads) != 1:
            raise ValidationError({"file": [_("Send the list as one multipart file “file”, or as a text/csv body.")]})
        upload = uploads[0]
        if upload.size > services.MAX_BYTES:
            raise ValidationError({"file": [_("The file is larger than 20 MB; split it.")]})
        return upload.read()
