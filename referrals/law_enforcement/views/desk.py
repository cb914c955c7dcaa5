"""The liaison's desk (SPEC §5): the CSV of the agency's requests, the feedback to the
authority on a decided removal order (printable page and JSON), preservation renewals.

Requests are fetched through `referral_for_reference` (outside scope: 404); every view of a
law-enforcement request is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import csv
from portal.actions import act
from portal.audit import audit
from referrals import selectors
from referrals.engine import clock
from referrals.filters import ReferralFilter
from referrals.intake.forms import RenewalForm
from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.services import preservation as legal_services
from referrals.models import Referral
from referrals.permissions import can_export_requests, can_see_feedback
from referrals.services import labels
from referrals.services.audit import referral_audit_viewed
from referrals.services.reads import clean_filters

EXPORT_COLUMNS = [
    "reference",
    "id",
    "kind",
    "category",
    "severity",
    "status",
    "authority_reference",
    "issuing_authority",
    "legal_basis",
    "legal_grounds",
    "preserve_until",
    "targets",
    "received_at",
    "due_at",
    "decided_at",
    "minutes_to_decision",
    "on_time",
    "breached",
    "action",
    "non_compliance_reason",
]


def _feedback_referral(request, reference: str) -> Referral:
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None or not can_see_feedback(request.user, referral):
        raise Http404(_("No such removal order."))
    if not le_selectors.feedback_available(referral):
        raise Http404(_("There is no feedback until the removal order is decided."))
    referral_audit_viewed(referral, by=request.user, request=request, view="feedback")
    return referral


@login_required
def removal_order_feedback(request, reference: str):
    referral = _feedback_referral(request, reference)
    feedback = le_selectors.removal_order_feedback(referral)
    context = {
        "referral": referral,
        "feedback": feedback,
        "scope_names": labels.country_names(feedback["territorial_scope"]),
        # A removal reversed on appeal (SPEC §16): when, in the reader's time zone.
        "reversal_at": parse_datetime(feedback["reversal"]["reversed_at"]) if feedback.get("reversal") else None,
    }
    return render(request, "referrals/le_feedback.html", context)


@login_required
def removal_order_feedback_json(request, reference: str):
    referral = _feedback_referral(request, reference)
    response = JsonResponse(le_selectors.removal_order_feedback(referral), json_dumps_params={"indent": 2})
    response["Cache-Control"] = "private, no-store"
    return response


# --- Export ------------------------------------------------------------------------------------


def _row(referral: Referral) -> list:
    decision = getattr(referral, "decision", None)
    minutes = None
    if referral.decided_at is not None:
        minutes = round(
            clock.minutes_to_decision(
                referral.received_at, max(referral.decided_at, referral.received_at), referral.paused_seconds / 60
            ),
            1,
        )
    return [
        referral.reference,
        referral.id,
        referral.kind,
        referral.category,
        referral.severity,
        referral.status,
        referral.authority_reference,
        referral.issuing_authority,
        referral.legal_basis,
        "|".join(referral.legal_grounds),
        referral.preserve_until,
        " ".join(t.url or f"{t.platform}:{t.account}" for t in referral.targets.all()),
        referral.received_at,
        referral.due_at,
        referral.decided_at,
        minutes,
        "" if decision is None or decision.on_time is None else str(decision.on_time).lower(),
        str(referral.breached).lower(),
        decision.action if decision else "",
        decision.non_compliance_reason if decision else "",
    ]


@login_required
def requests_export(request):
    if not can_export_requests(request.user):
        raise PermissionDenied(_("Only liaisons export their agency's requests."))
    filters = ReferralFilter(request.GET, queryset=le_selectors.agency_requests(request.user), request=request)
    if not filters.is_valid():
        # The API's filters, the API's answer: a bad value is refused, never exported unfiltered.
        problems = "\n".join(f"{field}: {' '.join(errors)}" for field, errors in filters.errors.items())
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    qs = filters.qs.order_by("seq")
    # The entry names every request the file holds (SPEC §5), read before it streams.
    named = [Referral(seq=seq, received_at=at, id=id) for seq, at, id in qs.values_list("seq", "received_at", "id")]
    audit(
        "referral.export",
        actor=request.user,
        organisation=request.user.membership.organisation,
        request=request,
        count=len(named),
        references=[r.reference for r in named],
        ids=[str(r.id) for r in named],
        filters=clean_filters(filters.form.cleaned_data),
    )
    writer = csv.writer()  # defuses spreadsheet formulas in every cell

    def rows():
        yield writer.writerow(EXPORT_COLUMNS)
        for referral in qs.iterator(chunk_size=500):
            yield writer.writerow(_row(referral))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="requests-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Preservation renewal ----------------------------------------------------------------------


@login_required
@require_POST
def preservation_renew(request, reference: str):
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404(_("No such request."))
    form = RenewalForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("referral-detail", reference=referral.reference)
    return act(
        request,
        lambda: legal_services.preservation_renew(
            by=request.user,
            referral=referral,
            preserve_until=form.cleaned_data.get("preserve_until"),
            request=request,
        ),
        success=lambda renewal: (
            _("Renewal %(reference)s filed; it is reviewed like a new preservation request.")
            % {"reference": renewal.reference}
        ),
        redirect_to=lambda renewal: reverse("referral-detail", kwargs={"reference": renewal.reference}),
        failure_redirect_to=reverse("referral-detail", kwargs={"reference": referral.reference}),
        deny_with_403=True,
    )
