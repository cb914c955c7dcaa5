"""`POST /api/v1/surfacing/accounts/` (SPEC §14): the platform's systems post new or changed
accounts, and a job compares them with the suspended ones; its progress is at
`/api/v1/jobs/{id}/` like a bulk import's.

Platform roles only: to partners the endpoint does not exist (404); policy staff see
surfacing but do not raise signals (403).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from portal.parsers import JSONParser
from portal.permissions import permission_from
from referrals.intake.api.serializers import BulkAcceptedSerializer
from referrals.intake.api.views import IDEMPOTENCY_HEADER, idempotent
from referrals.surfacing.permissions import can_raise_signals, can_see_surfacing
from referrals.surfacing.services import lookalike_job

SeesSurfacing = permission_from(can_see_surfacing, not_found=True)
RaisesSignals = permission_from(
    can_raise_signals, message=gettext_lazy("Only reviewers and queue leads raise signals.")
)


class AccountSerializer(serializers.Serializer):
    """For the schema: the service validates (each account normalised like a target)."""

    platform = serializers.CharField(help_text="`x`, `telegram`, … or a host, as in a target")
    account = serializers.CharField(help_text="The handle or id; `@` and case are ignored")
    display_name = serializers.CharField(required=False, max_length=lookalike_job.DISPLAY_NAME_MAX)


class AccountsInputSerializer(serializers.Serializer):
    accounts = AccountSerializer(many=True, help_text=f"1 to {lookalike_job.MAX_ACCOUNTS:,} accounts")


class LookalikeCheck(APIView):
    permission_classes = [IsAuthenticated, SeesSurfacing, RaisesSignals]
    parser_classes = [JSONParser]

    @extend_schema(
        request=AccountsInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            202: BulkAcceptedSerializer,
            400: OpenApiResponse(description='{"accounts": [message]} or one {field: [messages]} per account'),
        },
        description="Compare accounts with the platform's suspended ones; each look-alike becomes a signal.",
    )
    def post(self, request):
        def create():
            data = request.data
            if not hasattr(data, "get") or "accounts" not in data:
                raise serializers.ValidationError({"accounts": [gettext_lazy("This field is required.")]})
            try:
                job = lookalike_job.lookalike_job_create(user=request.user, accounts=data["accounts"], request=request)
            except lookalike_job.AccountsInvalid as exc:
                raise serializers.ValidationError(exc.errors) from None
            return status.HTTP_202_ACCEPTED, {"job": str(job.id)}

        return idempotent(request, "surfacing.accounts", request.data, create)
