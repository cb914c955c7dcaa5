"""Posting a bulletin from the live incident page (SPEC §18): `POST /incidents/<slug>/bulletins/`
with `body`, back to the page with a message saying how many people it reached (or why not).

The form is in templates/crisis/_bulletins.html, for policy staff and queue leads while the
incident is active. Whoever cannot see the incident gets 404; others who see it 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.actions import act
from referrals.crisis.selectors import incidents_visible_to
from referrals.crisis.services.bulletins import bulletin_post, incident_path


@login_required
@require_POST
def incident_bulletin_post(request, slug: str):
    incident = get_object_or_404(incidents_visible_to(request.user), slug=slug)
    page = incident_path(incident) + "#bulletins"
    return act(
        request,
        lambda: bulletin_post(by=request.user, incident=incident, body=request.POST.get("body", ""), request=request),
        success=lambda bulletin: (
            ngettext(
                "Bulletin sent to %(count)d person in the verified partner organisations.",
                "Bulletin sent to %(count)d people in the verified partner organisations.",
                bulletin.recipients,
            )
            % {"count": bulletin.recipients}
        ),
        redirect_to=page,
        deny_with_403=True,
    )
