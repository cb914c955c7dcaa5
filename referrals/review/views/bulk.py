"""Deciding many referrals at once (SPEC §15): the page `/decisions/bulk/`.

A work list or an account's page posts the chosen `referrals` (ids) here; the page lists
them, says which will be skipped and why, and offers one decision (a template, or the fields).
Sent again with `confirm=1`, it decides them and shows what was decided and what skipped.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from portal.actions import posted_ids, show_on_form
from portal.errors import DomainError
from referrals.review.forms import DecisionForm
from referrals.review.permissions import can_decide_in_bulk, require_queue_access
from referrals.review.services import bulk
from referrals.review.workbench_selectors import BULK_MAX, bulk_referrals
from referrals.services.reads import referrals_read_audit


@login_required
@require_http_methods(["GET", "POST"])
def bulk_decide(request):
    require_queue_access(request.user)
    if not can_decide_in_bulk(request.user):
        raise PermissionDenied
    ids = posted_ids(request.POST.getlist("referrals")) if request.method == "POST" else []
    context = {"ids": ids, "too_many": len(ids) > BULK_MAX, "max": BULK_MAX}
    if not ids or context["too_many"]:
        return render(request, "referrals/bulk_decide.html", context)
    confirmed = request.POST.get("confirm") == "1"
    form = DecisionForm(request.POST if confirmed else None, user=request.user)
    if confirmed and form.is_valid():
        try:
            result = bulk.decisions_bulk(by=request.user, ids=ids, request=request, **form.cleaned_data)
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            return render(request, "referrals/bulk_decide_done.html", {"result": result})
    found = bulk_referrals(request.user, ids)
    referrals_read_audit(user=request.user, referrals=found.values(), view="bulk_decide", request=request)
    rows = []
    for id in ids:
        referral = found.get(id)
        why = bulk.bulk_skip_reason(request.user, referral)
        rows.append({"id": id, "referral": referral, "skip": why[1] if why else ""})
    context.update(form=form, rows=rows, deciding=sum(1 for row in rows if not row["skip"]))
    return render(request, "referrals/bulk_decide.html", context)
