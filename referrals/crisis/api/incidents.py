"""Incidents (SPEC §18, Contract).

- `POST /api/v1/incidents/` `{title, summary, level: 1|2|3, keywords: [...], urls: [...]}` → 201
  the incident: policy staff and queue leads (anyone else 403); 400 `{field: [messages]}` with
  every problem, nothing stored.
- `GET /api/v1/incidents/` (`?status=active|closed`), newest first, cursor-paginated, and
  `GET /api/v1/incidents/{slug}/`: platform roles see every incident in full, with its live
  `counts`; members of verified partner organisations see the active ones' public fields only
  (`slug, title, summary, status, declared_at, bulletins: [{body, posted_at}]`: no level,
  keywords, URLs, queue or counts); anyone else an empty list, and 404 for one incident (as for
  partners once it is closed).
- `POST /api/v1/incidents/{slug}/close/` → 200 the incident, `closed`, with its after-action
  `report`: policy staff and queue leads (other platform roles and partners 403; 409 when it is
  closed already).
- `GET /api/v1/incidents/{slug}/report/` (JSON) and `/report.csv`: platform roles (anyone else
  404); while the incident is active, the report so far.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.pagination import CursorPagination
from portal.parsers import JSONParser
from portal.permissions import permission_from
from referrals.crisis import selectors
from referrals.crisis.permissions import can_declare_incidents, can_see_incidents_in_full
from referrals.crisis.services import incidents as services
from referrals.models import IncidentStatus

Declares = permission_from(
    can_declare_incidents,
    methods={"POST"},
    message=gettext_lazy("Only policy staff and queue leads declare incidents."),
)
Closes = permission_from(
    can_declare_incidents,
    after_lookup=True,
    message=gettext_lazy("Only policy staff and queue leads close incidents."),
)
# The report and the figures do not exist for partners: 404, as for any outsider.
SeesInFull = permission_from(can_see_incidents_in_full, not_found=True)

ERRORS = {
    400: OpenApiResponse(description="{field: [messages]}; `non_field_errors` when neither keywords nor URLs"),
    403: OpenApiResponse(description="`{detail}`: not yours to do"),
    404: OpenApiResponse(description="Not found, or not for you"),
    409: OpenApiResponse(description="`{detail}`: the incident is closed already"),
}


# --- Representations -------------------------------------------------------------------------------


class IncidentBulletinPublicSerializer(serializers.Serializer):
    body = serializers.CharField()
    posted_at = serializers.DateTimeField()


class IncidentBulletinSerializer(IncidentBulletinPublicSerializer):
    recipients = serializers.IntegerField(help_text="How many partner members it was sent to")


class CountsSerializer(serializers.Serializer):
    referrals = serializers.IntegerField(help_text="Referrals routing matched to the incident")
    decided = serializers.IntegerField()
    actioned = serializers.IntegerField()
    median_minutes_to_decision = serializers.FloatField(allow_null=True, help_text="Receipt to decision")


class IncidentPublicSerializer(serializers.Serializer):
    """What members of verified partner organisations read of an active incident."""

    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    declared_at = serializers.DateTimeField()
    bulletins = IncidentBulletinPublicSerializer(many=True, source="bulletins.all", help_text="Newest first")


class IncidentSerializer(serializers.Serializer):
    """An incident in full, for platform roles."""

    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    level = serializers.IntegerField(help_text="1 (gravest) to 3")
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    queue = serializers.CharField(source="queue.slug", help_text="`incident-<slug>`")
    keywords = serializers.ListField(child=serializers.CharField())
    urls = serializers.ListField(child=serializers.CharField())
    declared_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    counts = serializers.SerializerMethodField()
    bulletins = IncidentBulletinSerializer(many=True, source="bulletins.all", help_text="Newest first")

    @extend_schema_field(CountsSerializer)
    def get_counts(self, incident) -> dict:
        known = self.context.get("counts") or {}
        return known[incident.pk] if incident.pk in known else selectors.incident_counts(incident)


class HourSerializer(serializers.Serializer):
    hour = serializers.DateTimeField(help_text="The start of the hour (UTC)")
    received = serializers.IntegerField()
    decided = serializers.IntegerField()
    actioned = serializers.IntegerField()


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    event = serializers.ChoiceField(choices=[(e, e) for e in selectors.TIMELINE_EVENTS])
    what = serializers.CharField(help_text="The event in words, in the language of the request")


class ReportSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    level = serializers.IntegerField()
    declared_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(help_text="The end of the period reported: the close, or now")
    counts = CountsSerializer()
    by_hour = HourSerializer(many=True, help_text="Every hour from the declaration's to the close's (or now)")
    timeline = TimelineEntrySerializer(many=True, help_text="Oldest first")


class IncidentWithReportSerializer(IncidentSerializer):
    report = ReportSerializer()


class IncidentInputSerializer(serializers.Serializer):
    """Documents the body; the service checks it, so every problem is reported at once."""

    title = serializers.CharField(help_text="3-200 characters")
    summary = serializers.CharField(help_text="20-5,000 characters")
    level = serializers.ChoiceField(choices=[1, 2, 3], help_text="1 (gravest) to 3")
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, required=False, help_text="Matched in explanations"
    )
    urls = serializers.ListField(
        child=serializers.URLField(), max_length=100, required=False, help_text="http(s) URLs of accounts or posts"
    )


def incidents_data(request, incidents) -> list[dict]:
    """The representation of `incidents` for the requester: in full for platform roles (the
    counts of all of them read at once), the public fields for partners."""
    incidents = list(incidents)
    if not can_see_incidents_in_full(request.user):
        return IncidentPublicSerializer(incidents, many=True).data
    counts = selectors.incidents_counts(incidents)
    return IncidentSerializer(incidents, many=True, context={"request": request, "counts": counts}).data


def _incident(request, slug):
    return get_object_or_404(selectors.incidents_listed(request.user), slug=slug)


# --- Endpoints ----------------------------------------------------------------------------------------


class IncidentPagination(CursorPagination):
    ordering = ("-declared_at", "pk")


class IncidentListCreate(generics.ListAPIView):
    permission_classes = [IsAuthenticated, Declares]
    serializer_class = IncidentSerializer
    pagination_class = IncidentPagination
    parser_classes = [JSONParser]

    def get_queryset(self):
        incidents = selectors.incidents_listed(self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted in IncidentStatus.values:
            incidents = incidents.filter(status=wanted)
        return incidents

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(incidents_data(request, page))

    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=IncidentStatus.values)],
        description="Incidents, newest first: every one in full for platform roles; for members of verified "
        "partner organisations the active ones, with only `slug, title, summary, status, declared_at` and "
        "`bulletins: [{body, posted_at}]`; none for anyone else.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=IncidentInputSerializer,
        responses={201: IncidentSerializer, **ERRORS},
        description="Declare an incident: policy staff and queue leads. Creates its queue `incident-<slug>` "
        "(SLA 60, 120 or 240 minutes for level 1, 2 or 3; every queue lead a member); while it is active, "
        "routing sends the referrals naming its URLs or their accounts, or using its keywords, there. "
        "At least one keyword or URL.",
    )
    def post(self, request):
        data = request.data if isinstance(request.data, Mapping) else {}
        try:
            incident = services.incident_declare(
                by=request.user,
                title=data.get("title"),
                summary=data.get("summary"),
                level=data.get("level"),
                keywords=data.get("keywords"),
                urls=data.get("urls"),
                request=request,
            )
        except services.IncidentInvalid as exc:
            raise serializers.ValidationError(exc.errors) from None
        return Response(incidents_data(request, [_incident(request, incident.slug)])[0], status=status.HTTP_201_CREATED)


class IncidentDetail(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: IncidentSerializer, 404: ERRORS[404]},
        description="One incident with its live counts (platform roles), or its public fields (members of "
        "verified partner organisations, while it is active). The live page polls it.",
    )
    def get(self, request, slug):
        return Response(incidents_data(request, [_incident(request, slug)])[0])


class IncidentClose(APIView):
    permission_classes = [IsAuthenticated, Closes]

    @extend_schema(
        request=None,
        responses={200: IncidentWithReportSerializer, **ERRORS},
        description="Close an incident: policy staff and queue leads. Routing stops matching it; its queue "
        "keeps the referrals already in it. Answers with the after-action report.",
    )
    def post(self, request, slug):
        incident = _incident(request, slug)
        self.check_object_permissions(request, incident)
        services.incident_close(by=request.user, incident=incident, request=request)
        fresh = _incident(request, slug)
        body = incidents_data(request, [fresh])[0]
        body["report"] = ReportSerializer(selectors.incident_report(fresh)).data
        return Response(body)


class IncidentReport(APIView):
    permission_classes = [IsAuthenticated, SeesInFull]

    @extend_schema(
        responses={200: ReportSerializer, 404: ERRORS[404]},
        description="The after-action report: the counts, the referrals received, decided and actioned in each "
        "hour (UTC) from the declaration to the close (or now), and the timeline. Platform roles.",
    )
    def get(self, request, slug):
        return Response(ReportSerializer(selectors.incident_report(_incident(request, slug))).data)


class IncidentReportCsv(APIView):
    permission_classes = [IsAuthenticated, SeesInFull]

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR, 404: ERRORS[404]},
        description="The after-action report as one CSV with a `section` column: `total`, then one `hour` row "
        "per hour, then the `timeline`. Platform roles.",
    )
    def get(self, request, slug):
        return incident_report_csv_response(selectors.incident_report(_incident(request, slug)))


def incident_report_csv_response(report: dict) -> HttpResponse:
    response = HttpResponse(selectors.incident_report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="incident-{report["slug"]}-report.csv"'
    return response
