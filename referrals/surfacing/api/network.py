"""Networks of co-referred accounts and hubs (SPEC §14): the API, for platform roles.

`GET /api/v1/subjects/{id}/network/` and `GET /api/v1/subjects/hubs/?days=30`. Networks do
not exist for partners: they get 404, like on the subjects; the anonymous get 401.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals.surfacing import selectors
from referrals.surfacing.permissions import can_see_surfacing

SeesSurfacing = permission_from(can_see_surfacing, not_found=True)


class NodeSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="subject.id")
    platform = serializers.CharField(source="subject.platform")
    account = serializers.CharField(source="subject.account")
    status = serializers.ChoiceField(choices=["active", "suspended"], source="subject.status")
    referral_count = serializers.IntegerField(source="subject.referral_count")


class EdgeSerializer(serializers.Serializer):
    source = serializers.UUIDField()
    target = serializers.UUIDField()
    weight = serializers.IntegerField(help_text="How many referrals name both accounts")


class NetworkSerializer(serializers.Serializer):
    nodes = NodeSerializer(many=True, help_text="The subject first, then the accounts one step away, then two")
    edges = EdgeSerializer(many=True, help_text="The links between these accounts, each once, heaviest first")


class HubsInputSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=selectors.HUB_DAYS_MAX, default=selectors.HUB_DAYS_DEFAULT)
    limit = serializers.IntegerField(
        min_value=1, max_value=selectors.HUB_LIMIT_MAX, default=selectors.HUB_LIMIT_DEFAULT
    )


class HubSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="subject.id")
    platform = serializers.CharField(source="subject.platform")
    account = serializers.CharField(source="subject.account")
    referral_count = serializers.IntegerField(source="subject.referral_count")
    weight = serializers.IntegerField(
        help_text="Weighted degree in the window: each referral naming it with others adds 1 per other account"
    )
    accounts = serializers.IntegerField(help_text="Distinct accounts named with it in the window")
    suspended_neighbours = serializers.IntegerField(help_text="Suspended accounts linked to it, over all time")


class HubsSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    results = HubSerializer(many=True, help_text="Most co-referred first, at most `limit`")


class SubjectNetwork(APIView):
    permission_classes = [IsAuthenticated, SeesSurfacing]

    @extend_schema(
        operation_id="subjects_network",
        responses={200: NetworkSerializer, 404: OpenApiResponse(description="No such subject, or not a platform role")},
        description=(
            "The accounts co-referred with this one, to two steps away, heaviest links first, at most "
            f"{selectors.NETWORK_MAX_NODES} accounts (SPEC §14). Platform roles only; anyone else gets 404. "
            "The number of queries does not depend on the size of the network."
        ),
    )
    def get(self, request, id):
        subject = get_object_or_404(selectors.subjects_visible_to(request.user), pk=id)
        network = selectors.subject_network(request.user, subject)
        return Response(network_data(network))


def network_data(network: selectors.Network) -> dict:
    """What NetworkSerializer gives (a test holds them equal), built directly: some 1,000 nodes
    and links through serializer fields took 10 ms of the 50 a network read may take."""
    return {
        "nodes": [
            {
                "id": str(n.subject.pk),
                "platform": n.subject.platform,
                "account": n.subject.account,
                "status": n.subject.status,
                "referral_count": n.subject.referral_count,
            }
            for n in network.nodes
        ],
        "edges": [{"source": str(e.source), "target": str(e.target), "weight": e.weight} for e in network.edges],
    }


class Hubs(APIView):
    permission_classes = [IsAuthenticated, SeesSurfacing]

    @extend_schema(
        operation_id="subjects_hubs",
        parameters=[
            OpenApiParameter("days", OpenApiTypes.INT, description="The window, in days (1–365, default 30)"),
            OpenApiParameter(
                "limit", OpenApiTypes.INT, description=f"How many hubs (1–{selectors.HUB_LIMIT_MAX}, default 50)"
            ),
        ],
        responses={200: HubsSerializer, 400: OpenApiResponse(description="`days` or `limit` out of range")},
        description=(
            "Active (not suspended) accounts ranked by weighted degree over the referrals received in the last "
            "`days` days (SPEC §14): the top `limit`, not paginated. Platform roles only; anyone else gets 404."
        ),
    )
    def get(self, request):
        data = HubsInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        days, limit = data.validated_data["days"], data.validated_data["limit"]
        found = selectors.hubs(request.user, days=days, limit=limit)
        return Response(HubsSerializer({"days": days, "results": found}).data)
