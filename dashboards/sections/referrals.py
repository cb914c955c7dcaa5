"""Home-page sections: for NGO members their referrals by status and the latest decisions;
for liaisons the agency's desk (open requests with clocks, recent outcomes, figures)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from partners.models import Role
from portal.accounts.roles import role_of
from referrals import selectors
from referrals.law_enforcement import selectors as le_selectors
from referrals.models import Status
from referrals.permissions import kinds_filable_by


def home_sections(user) -> list[tuple[str, dict]]:
    role = role_of(user)
    if role == Role.LE_LIAISON:
        return [("referrals/le_home.html", liaison_desk(user))]
    if role not in (Role.NGO_MEMBER, Role.NGO_ADMIN):
        return []
    counts = selectors.referral_status_counts(user)
    section = {
        "title": _("Your referrals"),
        "counts": [{"status": s.value, "label": s.label, "count": counts[s.value]} for s in Status],
        "decisions": list(selectors.referral_recent_decisions(user)),
        "can_file": bool(kinds_filable_by(user)),
    }
    section["referrals"] = section["decisions"]
    return [("referrals/_home_section.html", section)]


def liaison_desk(user) -> dict:
    open_requests = le_selectors.agency_open_requests(user, limit=20)
    decided = le_selectors.agency_recent_decisions(user, limit=10)
    figures = le_selectors.agency_figures(user)
    share = figures["removal"]["share"]
    return {
        "referrals": [*open_requests, *decided],
        "open": [{"referral": r, "clock": le_selectors.request_clock(r)} for r in open_requests],
        "decided": [
            {
                "referral": r,
                "outcome": le_selectors.deadline_outcome(r),
                "feedback": le_selectors.feedback_available(r),
            }
            for r in decided
        ],
        "figures": figures,
        "removal_percent": share * 100 if share is not None else None,
        "can_file": bool(kinds_filable_by(user)),
        # Threats the platform reported to the agency (SPEC §17), not yet acknowledged first.
        "outbound_notices": le_selectors.outbound_notices_for_desk(user),
    }
