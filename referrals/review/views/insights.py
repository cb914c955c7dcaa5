"""The queue leads' insights (SPEC §15): `/queues/insights/` with its charts, and the same
figures as a CSV (`/queues/insights.csv`).

Partners get 404 (queues do not exist for them), other platform roles 403. The figures and
their definitions are in referrals/review/insights.py; the page repeats the definitions.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import charts, csv
from referrals.review import insights
from referrals.review.insight_forms import InsightsPeriodForm
from referrals.review.permissions import can_see_insights, require_queue_access

QUEUE_COLUMNS = (
    "arrivals",
    "decided",
    "backlog",
    "median_minutes_to_decision",
    "sla_met_share",
    "decisions_per_hour",
    "forecast_clear_hours",
    "reviewers_needed",
)
CSV_HEADER = ["section", "name", *QUEUE_COLUMNS, "reveals"]
# Past this many days, one bar per day would make the chart taller than a screen.
BARS_UP_TO_DAYS = 14


def _leads_only(request) -> None:
    require_queue_access(request.user)
    if not can_see_insights(request.user):
        raise PermissionDenied


def _shown(value, unit: str = "", places: int = 1) -> str:
    return "—" if value is None else charts.show(value, unit, places)


def _day(day) -> str:
    return date_format(day, "j M")


def _charts(figures: insights.Insights) -> dict:
    decisions = [charts.Datum(_day(day), n) for day, n in figures.decisions_per_day]
    backlog = [charts.Datum(_day(day), n) for day, n in figures.backlog_per_day]
    decisions_chart = charts.bar_chart if len(decisions) <= BARS_UP_TO_DAYS else charts.line_chart
    return {
        "decisions": decisions_chart(
            decisions,
            chart_id="chart-decisions",
            title=_("Decisions per day"),
            description=_("Referrals decided on each day of the period (UTC), every queue together."),
            label_heading=_("Day"),
            value_heading=_("Decisions"),
        ),
        "backlog": charts.line_chart(
            backlog,
            chart_id="chart-backlog",
            title=_("Backlog at the end of each day"),
            description=_(
                "Referrals routed and still open at the end of each day of the period (UTC; today: now), "
                "every queue together."
            ),
            label_heading=_("Day"),
            value_heading=_("Open referrals"),
        ),
    }


@login_required
@require_GET
def insights_page(request):
    _leads_only(request)
    form = InsightsPeriodForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "max_days": insights.MAX_DAYS}
        return render(request, "referrals/queue_insights.html", context, status=400)
    period = form.period
    figures = insights.queue_insights(request.user, period, daily=True)
    query = urlencode(period.params())
    queues = [
        {
            "item": q,
            "median": _shown(q.median_minutes_to_decision),
            "share": _shown(q.sla_met_share, "%"),
            "rate": _shown(q.decisions_per_hour, places=2),
            "forecast": _shown(q.forecast_clear_hours),
            "needed": _shown(q.reviewers_needed),
        }
        for q in figures.queues
    ]
    reviewers = [{"item": r, "rate": _shown(r.decisions_per_hour, places=2)} for r in figures.reviewers]
    context = {
        "form": form,
        "max_days": insights.MAX_DAYS,
        "period": period,
        "queues": queues,
        "reviewers": reviewers,
        "charts": _charts(figures),
        "query": query,
        "api_request": f"GET {reverse('api-queue-insights')}?{query}",
    }
    return render(request, "referrals/queue_insights.html", context)


def insights_rows(figures: insights.Insights) -> list[list]:
    """The CSV's rows: one per queue (by slug), then one per reviewer (by name); the columns
    a section does not have are empty."""
    rows = [["queue", q.slug, *(getattr(q, c) for c in QUEUE_COLUMNS), None] for q in figures.queues]
    for r in figures.reviewers:
        row = dict.fromkeys(QUEUE_COLUMNS)
        row.update(decided=r.decided, decisions_per_hour=r.decisions_per_hour)
        rows.append(["reviewer", r.name, *(row[c] for c in QUEUE_COLUMNS), r.reveals])
    return rows


@login_required
@require_GET
def insights_csv(request):
    _leads_only(request)
    try:
        period = insights.insight_period(request.GET)
    except insights.PeriodError as exc:
        return JsonResponse(exc.errors, status=400)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(insights_rows(insights.queue_insights(request.user, period)))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="queue-insights-{period.start}-to-{period.end}.csv"'
    return response
