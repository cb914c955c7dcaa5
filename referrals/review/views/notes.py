"""Team notes on the referral page (SPEC §15): every note, a page at a time, and adding one.

Notes exist for platform roles only: anyone else gets 404, even on their own referral. The
latest notes and the form also sit in the review panel (templates/referrals/_notes_panel.html).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.actions import act
from referrals import selectors
from referrals.models import Referral
from referrals.review import selectors as queue_selectors
from referrals.review.forms import NoteForm
from referrals.review.permissions import can_keep_notes
from referrals.review.services import notes
from referrals.services.audit import referral_audit_viewed

PAGE_SIZE = 50


def notes_referral(request, reference: str) -> Referral:
    """The referral in scope for a platform role; 404 for anyone else (notes do not exist for them)."""
    if not can_keep_notes(request.user):
        raise Http404
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404
    return referral


@login_required
@require_http_methods(["GET", "POST"])
def referral_notes(request, reference: str):
    """GET: the notes, oldest first, 50 a page. POST: add one, then back to the referral page
    (or this page again with the errors, so nothing typed is lost)."""
    referral = notes_referral(request, reference)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: notes.note_add(by=request.user, referral=referral, body=form.cleaned_data["body"], request=request),
            success=_("Note added. Only platform staff see it."),
            redirect_to=reverse("referral-detail", kwargs={"reference": referral.reference}) + "#notes-h",
            form=form,
        )
        if done:
            return done
    if request.method == "GET":
        referral_audit_viewed(referral, by=request.user, request=request, view="notes")
    page = Paginator(queue_selectors.referral_notes(request.user, referral), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/notes.html", {"referral": referral, "page": page, "form": form, "query": ""})
