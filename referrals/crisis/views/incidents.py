"""Incident pages (SPEC §18): the list, declaring one (with a confirmation step: it opens a
queue and changes routing), the live page, closing one and the after-action report.

Platform roles see every incident in full; members of verified partner organisations see the
active ones' title, summary and bulletins; for anyone else (and for partners, a closed
incident) the pages do not exist (404). Declaring and closing: policy staff and queue leads
(other platform roles and partners 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.errors import DomainError
from referrals.crisis import selectors
from referrals.crisis.forms import IncidentForm
from referrals.crisis.permissions import can_declare_incidents, can_see_incidents, can_see_incidents_in_full
from referrals.crisis.services import incidents as services
from referrals.engine.routing import INCIDENT_POINTS
from referrals.review.services.deadlines import queue_leads

PAGE_SIZE = 50
NEWEST_REFERRALS = 20
# How often the live page asks for fresh counts, in seconds.
POLL_SECONDS = 15


def _require_pages(user) -> None:
    if not can_see_incidents(user):
        raise Http404


def _require_declarer(user) -> None:
    _require_pages(user)
    if not can_declare_incidents(user):
        raise PermissionDenied(_("Only policy staff and queue leads declare and close incidents."))


def _incident(request, slug):
    _require_pages(request.user)
    return get_object_or_404(selectors.incidents_listed(request.user), slug=slug)


def _incident_in_full(request, slug):
    incident = _incident(request, slug)
    if not can_see_incidents_in_full(request.user):
        raise Http404
    return incident


@login_required
@require_GET
def incident_list(request):
    """Active incidents first, then the newest; platform roles with their counts."""
    _require_pages(request.user)
    page = Paginator(selectors.incidents_listed(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    full = can_see_incidents_in_full(request.user)
    counts = selectors.incidents_counts(page.object_list) if full else {}
    rows = [{"incident": i, "counts": counts.get(i.pk)} for i in page.object_list]
    context = {"page": page, "rows": rows, "full": full, "can_declare": can_declare_incidents(request.user)}
    return render(request, "crisis/incident_list.html", context)


def _confirmation(request, form: IncidentForm, cleaned: services.IncidentCleaned):
    context = {
        "form": form,
        "cleaned": cleaned,
        "queue_slug": f"{services.QUEUE_PREFIX}{services.incident_slug_for(cleaned.title)}",
        "leads": queue_leads().count(),
        "points": INCIDENT_POINTS[cleaned.level],
        "level_label": dict(IncidentForm.base_fields["level"].choices)[cleaned.level],
    }
    return render(request, "crisis/incident_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request):
    """GET the form; POST it to see what declaring will do; POST `confirmed` to declare."""
    _require_declarer(request.user)
    if request.method == "GET":
        return render(request, "crisis/incident_new.html", {"form": IncidentForm()})
    form = IncidentForm(request.POST)
    valid = form.is_valid()
    try:
        cleaned = services.incident_clean(**form.declaration())
    except services.IncidentInvalid as exc:
        form.show(exc.errors)
        return render(request, "crisis/incident_new.html", {"form": form})
    if not valid or "edit" in request.POST:
        return render(request, "crisis/incident_new.html", {"form": form})
    if "confirmed" not in request.POST:
        return _confirmation(request, form, cleaned)
    try:
        incident = services.incident_declare(by=request.user, request=request, **form.declaration())
    except services.IncidentInvalid as exc:
        form.show(exc.errors)
        return render(request, "crisis/incident_new.html", {"form": form})
    messages.success(
        request,
        _("Incident declared. Its queue %(queue)s is open and routing now matches referrals to it.")
        % {"queue": incident.queue.name},
    )
    return redirect("incident-detail", slug=incident.slug)


@login_required
@require_GET
def incident_detail(request, slug):
    """The live page. Partners: the title, the summary and the bulletins. Platform roles: the
    counts (refreshed by static/js/incident-live.js), the newest referrals, the bulletins,
    the hash list, and the after-action report once it is closed."""
    incident = _incident(request, slug)
    full = can_see_incidents_in_full(request.user)
    context = {"incident": incident, "full": full, "bulletins": list(incident.bulletins.all())}
    if full:
        context.update(
            counts=selectors.incident_counts(incident),
            referrals=list(selectors.incident_referrals_newest(request.user, incident, limit=NEWEST_REFERRALS)),
            newest=NEWEST_REFERRALS,
            poll_seconds=POLL_SECONDS,
            can_close=incident.is_active and can_declare_incidents(request.user),
            report=None if incident.is_active else selectors.incident_report(incident),
        )
    return render(request, "crisis/incident_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_close(request, slug):
    """GET asks for confirmation; POST closes."""
    incident = _incident(request, slug)
    _require_declarer(request.user)
    if request.method == "GET":
        if not incident.is_active:
            messages.info(request, _("This incident is already closed."))
            return redirect("incident-detail", slug=incident.slug)
        context = {"incident": incident, "counts": selectors.incident_counts(incident)}
        return render(request, "crisis/incident_close_confirm.html", context)
    try:
        services.incident_close(by=request.user, incident=incident, request=request)
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Incident closed. Its after-action report is below."))
    return redirect("incident-detail", slug=incident.slug)


@login_required
@require_GET
def incident_report(request, slug):
    """The after-action report on its own page (so far, while the incident is active)."""
    incident = _incident_in_full(request, slug)
    context = {"incident": incident, "report": selectors.incident_report(incident)}
    return render(request, "crisis/incident_report.html", context)


@login_required
@require_GET
def incident_report_csv(request, slug):
    report = selectors.incident_report(_incident_in_full(request, slug))
    response = HttpResponse(selectors.incident_report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="incident-{report["slug"]}-report.csv"'
    return response
