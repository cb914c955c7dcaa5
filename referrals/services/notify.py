"""Telling the submitting organisation that its referral moved on."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from portal.notifications import notify_users
from referrals.models import Referral


def referral_recipients(referral: Referral):
    """Active members of the organisation that filed `referral`."""
    return get_user_model().objects.filter(membership__organisation_id=referral.organisation_id, is_active=True)


def referral_notify_status(referral: Referral, *, message: str = "") -> None:
    """In-app notification and e-mail (sent by a task after commit) to the submitting
    organisation's members, saying the referral's new status. `message` is an optional
    line for the submitter (e.g. the reviewer's question); it must not name the reviewer."""
    decision = (
        getattr(referral, "decision", None) if referral.status in ("actioned", "no_violation", "rejected") else None
    )
    context = {
        "referral": referral,
        "reference": referral.reference,
        "status": referral.get_status_display,  # rendered in each recipient's language
        "message": message,
        "decision": decision,
        "path": f"/referrals/{referral.reference}/",
    }
    notify_users(list(referral_recipients(referral)), "referral_status", context, link=context["path"])
