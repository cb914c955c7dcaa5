"""Redress pages (SPEC §16): appealing from the referral page, recording a complaint, the
appeals list and one appeal with its decision.

The appeals pages and complaints exist for platform roles only (404 for everyone else);
appealing is for the organisation that filed the referral (another organisation: 404, as for
the referral itself; platform roles: 403).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.actions import act
from referrals import selectors
from referrals.models import STATEMENT_ACTIONS, Action, AppealOutcome, Ground, Referral
from referrals.redress import selectors as redress_selectors
from referrals.redress import services
from referrals.redress.forms import AppealDecisionForm, AppealForm, ComplaintForm
from referrals.redress.permissions import (
    can_appeal,
    can_decide_appeals,
    can_record_complaints,
    can_see_appeals,
    decided_the_original,
)

PAGE_SIZE = 50


def _referral(request, reference: str) -> Referral:
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404
    return referral


def _referral_page(referral: Referral, anchor: str = "appeal-h") -> str:
    return reverse("referral-detail", kwargs={"reference": referral.reference}) + f"#{anchor}"


@login_required
@require_http_methods(["GET", "POST"])
def referral_appeal(request, reference: str):
    """The submitting organisation's appeal: the form sits on the referral page; this page
    shows it alone again when something must be corrected."""
    referral = _referral(request, reference)
    if not can_appeal(request.user, referral):
        raise PermissionDenied
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: services.appeal_file(
                by=request.user, referral=referral, reason=form.cleaned_data["reason"], request=request
            ),
            success=_("Appeal sent. Someone other than the reviewer who took the decision will decide it."),
            redirect_to=_referral_page(referral),
            form=form,
        )
        if done:
            return done
    context = {"referral": referral, "form": form, "deadline": redress_selectors.appeal_deadline(referral)}
    return render(request, "redress/appeal_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_complaint(request, reference: str):
    """Platform staff record the account holder's complaint; 404 for anyone else."""
    if not can_record_complaints(request.user):
        raise Http404
    referral = _referral(request, reference)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: services.complaint_record(
                by=request.user, referral=referral, reason=form.cleaned_data["reason"], request=request
            ),
            success=_("Complaint recorded. It waits in the appeals queue."),
            redirect_to=lambda appeal: reverse("appeal-detail", kwargs={"id": appeal.pk}),
            form=form,
        )
        if done:
            return done
    return render(request, "redress/complaint_form.html", {"referral": referral, "form": form})


@login_required
def appeal_list(request):
    """Open appeals and complaints, the one due first at the top; `?status=decided` the
    decided ones, latest first."""
    if not can_see_appeals(request.user):
        raise Http404
    decided = request.GET.get("status") == "decided"
    appeals = (
        redress_selectors.appeals_decided(request.user) if decided else redress_selectors.appeals_open(request.user)
    )
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for appeal in page.object_list:
        appeal.original_label = Action(appeal.original_action).label
        appeal.overdue = appeal.is_open and appeal.due_at < now
    context = {"page": page, "decided": decided, "query": "status=decided" if decided else ""}
    return render(request, "redress/appeal_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_detail(request, id):
    """One appeal: the referral, the decision appealed, the reason, and the decision form.

    Reversing asks for confirmation first (it lifts a suspension at once, or sends the
    referral back for a fresh decision). The person who took the decision under appeal sees
    why they may not decide it, and a POST of theirs is a 403 saying so."""
    if not can_see_appeals(request.user):
        raise Http404
    appeal = get_object_or_404(redress_selectors.appeals_visible_to(request.user), pk=id)
    user = request.user
    own_decision = decided_the_original(user, appeal)
    form = AppealDecisionForm(request.POST or None, complaint=appeal.is_complaint)
    status = 200
    if request.method == "POST":
        if not can_decide_appeals(user):
            raise PermissionDenied
        if own_decision:
            form.add_error(None, _("You took the decision under appeal: another reviewer or a queue lead decides it."))
            status = 403
        elif form.is_valid():
            reversing = form.cleaned_data["outcome"] == AppealOutcome.REVERSED
            if reversing and request.POST.get("confirm") != "1":
                return render(request, "redress/appeal_reverse_confirm.html", _context(appeal, form=form))
            done = act(
                request,
                lambda: services.appeal_decide(
                    by=user,
                    appeal=appeal,
                    outcome=form.cleaned_data["outcome"],
                    statement=form.cleaned_data["statement"],
                    request=request,
                ),
                success=_("The appeal is decided: the decision is reversed.")
                if reversing
                else _("The appeal is decided: the decision stands."),
                redirect_to=reverse("appeal-detail", kwargs={"id": appeal.pk}),
                form=form,
            )
            if done:
                return done
    context = _context(appeal, form=form)
    context.update(
        can_decide=appeal.is_open and can_decide_appeals(user) and not own_decision,
        own_decision=own_decision and appeal.is_open,
        complaints=redress_selectors.complaints_of(user, appeal.referral),
    )
    return render(request, "redress/appeal_detail.html", context, status=status)


def _context(appeal, *, form) -> dict:
    original = appeal.original or {}
    ground = original.get("ground")
    return {
        "appeal": appeal,
        "referral": appeal.referral,
        "form": form,
        "original": original,
        "original_label": Action(appeal.original_action).label,
        "ground_label": Ground(ground).label if ground in Ground.values else "",
        "lifts_suspension": appeal.original_action == Action.ACCOUNT_SUSPENDED,
        "restricts": appeal.original_action in STATEMENT_ACTIONS,
        "original_decided_at": parse_datetime(original.get("decided_at") or ""),
    }
