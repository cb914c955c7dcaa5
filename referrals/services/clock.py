"""Resuming a paused clock (SPEC §4.4): shared by answering a request for information (a
submitter's message, referrals.services.messages), withdrawing and deciding.

A referral's clock pauses while the platform waits on its submitter (`needs_info`); when it
resumes, `due_at` moves on by exactly the pause, as Regulation 2021/784 counts the hour.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from referrals.engine import clock
from referrals.models import Referral


def paused_fields(referral: Referral, now: datetime) -> dict:
    """The clock fields after resuming a pause at `now` (nothing when it runs)."""
    if referral.paused_at is None:
        return {}
    paused_at = min(referral.paused_at, now)
    due_at = clock.resume(referral.due_at, paused_at, now) if referral.due_at else None
    return {
        "due_at": due_at,
        "paused_at": None,
        "paused_seconds": referral.paused_seconds + int((now - paused_at).total_seconds()),
    }


def referral_clock_resume(*, referral: Referral, now: datetime | None = None) -> Referral:
    """Restart a paused clock, extending `due_at` by exactly the pause (SPEC §4.4, Reg. 2021/784).

    Sets the fields on `referral` and saves them; the caller owns the status change (a reply
    from the submitter returns `needs_info` to `routed`).
    """
    fields = paused_fields(referral, now or timezone.now())
    for name, value in fields.items():
        setattr(referral, name, value)
    if fields:
        referral.save(update_fields=[*fields, "updated_at"])
    return referral
