"""The issuing agency renews the hold on a removal order's content (TCO Regulation Art. 6):
GET asks for confirmation, POST renews for six months from the current end."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.actions import act
from referrals import selectors
from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.permissions import can_renew_tco_hold
from referrals.law_enforcement.services.holds import TCO_HOLD_MONTHS, add_months, tco_hold_renew


@login_required
@require_http_methods(["GET", "POST"])
def tco_hold_renew_view(request, reference: str):
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404(_("No such request."))
    back = reverse("referral-detail", kwargs={"reference": referral.reference})
    if request.method == "GET":
        if not can_renew_tco_hold(request.user, referral):
            raise PermissionDenied(_("Only the issuing agency's liaisons can renew the hold on a removal order."))
        state = le_selectors.tco_hold_state(request.user, referral)
        if not state["can_renew_tco_hold"]:
            raise Http404(_("No hold lasts on this removal order."))
        until = state["tco_hold_until"]
        context = {"referral": referral, "until": until, "new_until": add_months(until, TCO_HOLD_MONTHS)}
        return render(request, "referrals/tco_hold_renew_confirm.html", context)
    return act(
        request,
        lambda: tco_hold_renew(by=request.user, referral=referral, request=request),
        success=lambda until: (
            _("The content and data are now kept until %(date)s.") % {"date": date_format(until, "j M Y")}
        ),
        redirect_to=back,
        deny_with_403=True,
    )
