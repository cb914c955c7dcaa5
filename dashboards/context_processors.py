"""What the navigation offers, from the same named predicates the views and the API ask.

It lives here, above every app, because core (`portal`) may not import the apps' predicates.
"""

from campaigns.permissions import can_see_campaigns
from partners.permissions import can_manage_organisations
from referrals.crisis.permissions import can_see_incidents
from referrals.law_enforcement.permissions import can_see_outbound_notices
from referrals.models import Kind
from referrals.permissions import can_file
from referrals.review.permissions import can_see_queues
from training.permissions import can_see_events


def nav(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "nav": {
            "can_file": can_file(user),
            # Liaisons file requests (removal orders and the like), so their list is called that.
            "files_requests": can_file(user, Kind.LE_REFERRAL),
            "can_see_queues": can_see_queues(user),
            "can_see_campaigns": can_see_campaigns(user),
            "can_see_events": can_see_events(user),
            "can_manage_organisations": can_manage_organisations(user),
            # Threat notices to agencies (SPEC §17): platform roles send them, liaisons receive them.
            "sees_outbound_notices": can_see_outbound_notices(user),
            # Incidents (SPEC §18): platform roles in full, verified partners the active ones.
            "sees_incidents": can_see_incidents(user),
        }
    }
