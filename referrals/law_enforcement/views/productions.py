"""Productions on the referral page (SPEC §17): the upload by the request's assignee or a lead,
and the download by the requesting agency (or the platform), with the API's rules: audited,
never cached, a 410 page once the production is past its availability.

The list itself is the `{% productions_context %}` section of the referral page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.actions import act
from referrals import selectors
from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.downloads import production_response
from referrals.law_enforcement.services import productions
from referrals.models import Referral


def _request(request, reference: str) -> Referral:
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None or not referral.is_law_enforcement:
        raise Http404(_("No such request."))
    return referral


def _section(referral: Referral) -> str:
    return reverse("referral-detail", kwargs={"reference": referral.reference}) + "#productions"


@login_required
@require_POST
def production_add(request, reference: str):
    referral = _request(request, reference)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(_section(referral))
    return act(
        request,
        lambda: productions.production_add(by=request.user, referral=referral, upload=upload, request=request),
        success=lambda production: (
            _("“%(name)s” delivered; the agency's liaisons are told it is ready.") % {"name": production.name}
        ),
        redirect_to=_section(referral),
        deny_with_403=True,
    )


@login_required
def production_download(request, reference: str, production_id):
    referral = _request(request, reference)
    production = get_object_or_404(le_selectors.productions_of(request.user, referral), id=production_id)
    try:
        return production_response(request, production)
    except productions.ProductionGone:
        response = render(
            request, "referrals/production_gone.html", {"referral": referral, "production": production}, status=410
        )
        response["Cache-Control"] = "private, no-store"
        return response
