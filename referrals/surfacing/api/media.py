"""`POST /api/v1/surfacing/media/` (SPEC §14): the platform's systems post an image seen on an
account; a near duplicate of evidence on an actioned referral raises a `signal` naming it.

Multipart: `file` (checked like evidence: type from content, size limit) plus `platform` and
`account` (normalised like a referral's targets). 201 with the signal raised; 200 with
`"signal": null` when nothing matched, or when the account is suspended or already has an
open signal. Reviewers and queue leads; policy staff 403; partners 404 (surfacing does not
exist for them); the anonymous 401.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals.engine import normalise
from referrals.intake.services.evidence import EvidenceRejected, evidence_inspect
from referrals.services.labels import engine_text
from referrals.surfacing.permissions import can_raise_signals, can_see_surfacing
from referrals.surfacing.services.media_signals import media_signal_raise

SeesSurfacing = permission_from(can_see_surfacing, not_found=True)
RaisesSignals = permission_from(
    can_raise_signals, message=gettext_lazy("Only reviewers and queue leads raise signals.")
)


class MediaInputSerializer(serializers.Serializer):
    """The request, for the schema (the view reads the fields itself, to report each one)."""

    file = serializers.FileField(help_text="A PNG, JPEG, WebP or GIF image, within the evidence size limit")
    platform = serializers.CharField(help_text="`x`, `telegram`, … or a host name")
    account = serializers.CharField(help_text="The account the image was seen on")


class SignalRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()


class MatchSerializer(serializers.Serializer):
    referral = serializers.CharField(help_text="The reference of the actioned referral")
    distance = serializers.IntegerField(help_text="Hamming distance of the PDQ hashes, out of 256")


class MediaResultSerializer(serializers.Serializer):
    signal = SignalRefSerializer(allow_null=True)
    matches = MatchSerializer(many=True, help_text="One per actioned referral, nearest first")


def _target(platform: str, account: str, errors: dict) -> normalise.Target | None:
    """The normalised account, or None with each field's problem in `errors`."""
    if not platform:
        errors["platform"] = [_("Give the platform the image was seen on.")]
    if not account:
        errors["account"] = [_("Give the account the image was seen on.")]
    if errors.keys() & {"platform", "account"}:
        return None
    try:
        # The platform alone first, so its problem is reported on its own field.
        normalise.normalise_target({"platform": platform, "account": "account"})
    except normalise.TargetError as exc:
        errors["platform"] = [engine_text(exc.args[0])]
        return None
    try:
        return normalise.normalise_target({"platform": platform, "account": account})
    except normalise.TargetError as exc:
        errors["account"] = [engine_text(exc.args[0])]
        return None


class MediaCheck(APIView):
    permission_classes = [IsAuthenticated, SeesSurfacing, RaisesSignals]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": MediaInputSerializer},
        responses={
            201: OpenApiResponse(MediaResultSerializer, description="A signal was raised"),
            200: OpenApiResponse(MediaResultSerializer, description="No signal: no match, or none owed"),
            400: OpenApiResponse(description="`{field: [messages]}` for `file`, `platform`, `account`"),
        },
    )
    def post(self, request):
        errors: dict = {}
        uploads = request.FILES.getlist("file")
        inspected = None
        if len(uploads) != 1:
            errors["file"] = [_("Upload one file as the multipart field “file”.")]
        else:
            try:
                inspected = evidence_inspect(uploads[0])
            except EvidenceRejected as exc:
                errors["file"] = [exc.message]
        target = _target(
            str(request.data.get("platform", "")).strip(), str(request.data.get("account", "")).strip(), errors
        )
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        check = media_signal_raise(
            by=request.user, file=inspected, platform=target.platform, account=target.account, request=request
        )
        body = {
            "signal": {"id": str(check.signal.id), "reference": check.signal.reference} if check.signal else None,
            "matches": [{"referral": referral.reference, "distance": d} for referral, d in check.matches],
        }
        return Response(body, status=status.HTTP_201_CREATED if check.signal else status.HTTP_200_OK)
