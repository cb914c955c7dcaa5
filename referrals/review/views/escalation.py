"""Escalating a referral to the queue leads from the review panel (SPEC §15)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.actions import act
from referrals import selectors
from referrals.review.forms import EscalateForm
from referrals.review.permissions import can_escalate, can_see_queues
from referrals.review.services import escalation


@login_required
@require_POST
def referral_escalate(request, reference: str):
    """Partners: 404 (escalation does not exist for them); anyone but the assignee: 403."""
    if not can_see_queues(request.user):
        raise Http404
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404
    if not can_escalate(request.user, referral):
        raise PermissionDenied
    page = reverse("referral-detail", kwargs={"reference": referral.reference})
    form = EscalateForm(request.POST)
    if not form.is_valid():
        problems = form.errors.get("reason") or [_("Say why the queue leads should take this referral.")]
        messages.error(request, " ".join(str(p) for p in problems))
        return redirect(page)
    return act(
        request,
        lambda: escalation.referral_escalate(
            by=request.user, referral=referral, reason=form.cleaned_data["reason"], request=request
        ),
        success=_("Escalated: the referral waits for a queue lead in the Escalations queue."),
        redirect_to=page,
    )
