"""`POST /api/v1/referrals/{id}/hold/renew/`: the issuing agency keeps a removal order's
content and data six months longer under the TCO Regulation (Art. 6). Not in the contract of
SPEC §17, which says only that the agency can renew the hold; the page does the same.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from referrals import selectors
from referrals.law_enforcement.services.holds import tco_hold_renew


class HoldRenewedSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="The new last day of the hold")


class TcoHoldRenew(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: HoldRenewedSerializer,
            403: OpenApiResponse(description="`{detail}`: not the issuing agency's liaison, or it is not verified"),
            404: OpenApiResponse(description="Not visible"),
            409: OpenApiResponse(description="`{detail}`: no hold lasts on this referral any more"),
        },
        description="Renew the hold that keeps a removal order's removed content and related data (TCO "
        "Regulation Art. 6) for another six months from its current end. The issuing agency's liaisons, "
        "before the hold ends.",
    )
    def post(self, request, id):
        referral = get_object_or_404(selectors.referrals_visible_to(request.user), id=id)
        until = tco_hold_renew(by=request.user, referral=referral, request=request)
        return Response(HoldRenewedSerializer({"until": until}).data)
