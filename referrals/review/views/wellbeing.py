"""Reviewer wellbeing pages (SPEC §15): the blurred preview of image evidence, revealing one
image at a time, and the leads' view of everyone's exposure today.

The preview and the revealed original are fetched like the evidence download: the referral
through `referral_for_reference` and the file through `evidence_visible_to` (404 outside
scope), never cached, `nosniff`, under a sandboxing CSP. Only the preview is made for
partners' eyes too; revealing is for platform staff (403 otherwise).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import DomainError
from referrals import selectors
from referrals.models import Evidence
from referrals.review import selectors as queue_selectors
from referrals.review.permissions import can_reveal_evidence, can_see_exposure, require_queue_access
from referrals.review.services import exposure, previews

# The one image whose original this session shows (SPEC §15: revealed one at a time).
REVEALED = "wellbeing_revealed_evidence"
PAGE_SIZE = 50


def _evidence(request, reference: str, evidence_id) -> Evidence:
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404
    return get_object_or_404(selectors.evidence_visible_to(request.user), referral=referral, id=evidence_id)


def _private(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _gone() -> HttpResponse:
    return _private(
        HttpResponse(_("This file was deleted under the retention policy."), status=410, content_type="text/plain")
    )


def _back(row: Evidence):
    page = reverse("referral-detail", kwargs={"reference": row.referral.reference})
    return redirect(f"{page}#evidence-{row.pk}")


@login_required
def evidence_preview(request, reference: str, evidence_id):
    """The blurred, greyscale preview of an image: no metadata of the original, not counted."""
    row = _evidence(request, reference, evidence_id)
    if not previews.is_previewable(row):
        raise Http404
    try:
        path = previews.evidence_preview(evidence=row)
    except FileNotFoundError:
        if row.file_deleted_at is not None:
            return _gone()
        raise Http404 from None
    return _private(FileResponse(path.open("rb"), content_type="image/jpeg"))


@login_required
@require_POST
def evidence_reveal(request, reference: str, evidence_id):
    """Uncover one image: audited and counted, then the page shows that image's original (and
    no other); past the daily limit, a suggestion to take a break."""
    row = _evidence(request, reference, evidence_id)
    if not can_reveal_evidence(request.user):
        raise PermissionDenied(_("Only platform staff reveal blurred evidence."))
    try:
        counts = exposure.evidence_reveal(user=request.user, evidence=row, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(row)
    request.session[REVEALED] = str(row.pk)
    if exposure.is_past_limit(counts):
        messages.info(request, exposure.break_message(counts))
    return _back(row)


@login_required
@require_POST
def evidence_conceal(request, reference: str, evidence_id):
    """Blur the revealed image again."""
    row = _evidence(request, reference, evidence_id)
    if request.session.get(REVEALED) == str(row.pk):
        del request.session[REVEALED]
    return _back(row)


@login_required
def evidence_original(request, reference: str, evidence_id):
    """The original of the one image this session revealed, shown in the page (inline).

    Revealing counted and audited it; anything else (a download) goes through the download."""
    row = _evidence(request, reference, evidence_id)
    if not can_reveal_evidence(request.user):
        raise PermissionDenied
    if not previews.is_previewable(row):
        raise Http404
    if request.session.get(REVEALED) != str(row.pk):
        raise PermissionDenied(_("Reveal the image first."))
    try:
        handle = previews.evidence_original_open(evidence=row)
    except FileNotFoundError:
        if row.file_deleted_at is not None:
            return _gone()
        raise Http404 from None
    return _private(FileResponse(handle, content_type=row.content_type))


@login_required
def exposure_list(request):
    """Queue leads: how many images and files each platform member opened on a day (UTC)."""
    require_queue_access(request.user)
    if not can_see_exposure(request.user):
        raise PermissionDenied(_("Only queue leads see everyone's exposure."))
    today = exposure.exposure_day()
    day = _day(request.GET.get("day"), default=today)
    limit = exposure.daily_limit()
    page = Paginator(queue_selectors.exposure_by_member(request.user, day, limit=limit), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({"day": day.isoformat()}) if day != today else ""
    context = {"page": page, "day": day, "today": today, "limit": limit, "query": query}
    return render(request, "referrals/exposure_list.html", context)


def _day(text: str | None, *, default: date) -> date:
    try:
        day = date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return min(day, default)
