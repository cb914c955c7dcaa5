"""The public transparency report: the page, its CSV and JSON downloads, and the API.

Public on purpose (SPEC §8): no login, aggregates only, every small cell suppressed by
`portal.transparency.transparency_figures`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from dashboards.transparency import transparency_figures
from dashboards.transparency.export import filename, to_csv
from dashboards.transparency.forms import PeriodForm
from dashboards.transparency.page import report_context
from dashboards.transparency.periods import span_errors


@require_GET
def transparency_page(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "portal/transparency.html", {"form": form}, status=400)
    period = form.selected
    figures = transparency_figures(period.start, period.end)
    context = {
        "form": form,
        "period": period,
        "query": urlencode(period.params()),
        # The same figures from the API, shown as the request to make (a code, not text).
        "api_request": f"GET {reverse('api-transparency')}?{urlencode({'start': period.start, 'end': period.end})}",
        **report_context(figures),
    }
    return render(request, "portal/transparency.html", context)


def _download(request, extension: str):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return JsonResponse(form.error_dict(), status=400)
    period = form.selected
    figures = transparency_figures(period.start, period.end)
    if extension == "csv":
        response = HttpResponse(to_csv(figures), content_type="text/csv; charset=utf-8")
    else:
        response = JsonResponse(figures, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename(period, extension)}"'
    return response


@require_GET
def transparency_csv(request):
    return _download(request, "csv")


@require_GET
def transparency_json(request):
    return _download(request, "json")


class TransparencyQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the period (UTC), YYYY-MM-DD.")
    end = serializers.DateField(help_text="Last day of the period (UTC, inclusive), YYYY-MM-DD; at most two years on.")

    def validate(self, attrs):
        errors = span_errors(attrs["start"], attrs["end"])
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


@extend_schema(
    parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="First day (UTC)."),
        OpenApiParameter("end", OpenApiTypes.DATE, required=True, description="Last day (UTC, inclusive)."),
    ],
    responses={200: OpenApiTypes.OBJECT},
    description="The public transparency figures (SPEC §8) for referrals received from `start` to `end`. "
    'Counts under 5 are the string "<5"; ratios and percentiles built on them are null.',
    auth=[],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def transparency_api(request):
    query = TransparencyQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return Response(transparency_figures(query.validated_data["start"], query.validated_data["end"]))
