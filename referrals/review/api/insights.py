"""`GET /api/v1/queues/insights/?start=&end=` (SPEC §15): the queues' and reviewers' figures
for queue leads.

Queues do not exist for partners, so they get 404 as on every queue endpoint; other platform
roles get 403; the anonymous 401. `start` and `end` are UTC dates, both inclusive (by default
the last 7 days up to today); a bad one is a 400 naming it. Each figure is defined in
referrals/review/insights.py.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals.review import insights
from referrals.review.permissions import can_see_insights, can_see_queues

SeesQueues = permission_from(can_see_queues, not_found=True)
SeesInsights = permission_from(can_see_insights, message=gettext_lazy("The insights are for queue leads."))


class QueueInsightSerializer(serializers.Serializer):
    slug = serializers.CharField()
    arrivals = serializers.IntegerField(help_text="Received in the period and routed into the queue")
    decided = serializers.IntegerField(help_text="Decided in the period")
    backlog = serializers.IntegerField(help_text="Open now: routed, in review or waiting for information")
    median_minutes_to_decision = serializers.FloatField(
        allow_null=True, help_text="Median of decided_at − received_at over those decided in the period"
    )
    sla_met_share = serializers.FloatField(
        allow_null=True, help_text="Share (0–1) of those decided in the period that met their deadline"
    )
    decisions_per_hour = serializers.FloatField(
        allow_null=True, help_text="Decided ÷ the clock hours (UTC) with at least one decision in the queue"
    )
    forecast_clear_hours = serializers.FloatField(
        allow_null=True, help_text="Backlog ÷ decisions_per_hour: working hours to clear it (null when no rate)"
    )
    reviewers_needed = serializers.IntegerField(
        allow_null=True,
        help_text="ceil(backlog ÷ (per-reviewer rate × SLA hours)): reviewers who clear the backlog within the SLA",
    )


class ReviewerInsightSerializer(serializers.Serializer):
    name = serializers.CharField()
    decided = serializers.IntegerField(help_text="Decisions recorded in the period")
    decisions_per_hour = serializers.FloatField(
        allow_null=True, help_text="Decided ÷ the clock hours in which they decided at least one"
    )
    reveals = serializers.IntegerField(help_text="Media revealed in the period")


class InsightsSerializer(serializers.Serializer):
    queues = QueueInsightSerializer(many=True)
    reviewers = ReviewerInsightSerializer(many=True)


class QueueInsights(APIView):
    permission_classes = [IsAuthenticated, SeesQueues, SeesInsights]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="First day (UTC), YYYY-MM-DD; default: 6 days before end"
            ),
            OpenApiParameter(
                "end",
                OpenApiTypes.DATE,
                description=f"Last day (UTC, inclusive), YYYY-MM-DD, at most today; default: today. "
                f"At most {insights.MAX_DAYS} days in all.",
            ),
        ],
        responses={
            200: InsightsSerializer,
            400: OpenApiResponse(description="{start|end: [messages]}"),
            403: OpenApiResponse(description="Platform roles other than queue leads"),
            404: OpenApiResponse(description="Partners: queues do not exist for them"),
        },
        description="Per queue and per reviewer over the period (SPEC §15); the definitions of every "
        "figure are on the page /queues/insights/.",
    )
    def get(self, request):
        try:
            period = insights.insight_period(request.query_params)
        except insights.PeriodError as exc:
            raise serializers.ValidationError(exc.errors) from exc
        return Response(InsightsSerializer(insights.queue_insights(request.user, period)).data)
