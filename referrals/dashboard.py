"""Home-page section for submitters: their referrals by status and the latest decisions."""

from __future__ import annotations

from partners.models import Role
from portal.accounts.roles import role_of
from referrals import selectors
from referrals.models import Status
from referrals.permissions import kinds_filable_by


def home_sections(user) -> list[tuple[str, dict]]:
    role = role_of(user)
    if role not in (Role.NGO_MEMBER, Role.NGO_ADMIN, Role.LE_LIAISON):
        return []
    counts = selectors.referral_status_counts(user)
    section = {
        "title": "Your requests" if role == Role.LE_LIAISON else "Your referrals",
        "counts": [{"status": s.value, "label": s.label, "count": counts[s.value]} for s in Status],
        "decisions": list(selectors.referral_recent_decisions(user)),
        "can_file": bool(kinds_filable_by(user)),
    }
    return [("referrals/_home_section.html", section)]
