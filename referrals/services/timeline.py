"""Appending to a referral's timeline: the one place TimelineEvent rows are written."""

from __future__ import annotations

from referrals.models import Referral, TimelineEvent


def timeline_add(referral: Referral, type: str, actor=None, message: str = "", **data) -> TimelineEvent:
    """Record that `type` happened to `referral` (by `actor`, None for the system).

    `message` is shown to the submitter as written, so it must not name platform staff nor
    anything of another organisation; `data` is kept for reviewers and must be
    JSON-serialisable, and its `platform_message`, if any, is what platform roles read instead
    of `message` (e.g. naming the other referral that closed this one).
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return TimelineEvent.objects.create(referral=referral, type=type, actor=actor, message=message, data=data)


def timeline_event(referral: Referral, type: str, actor=None, message: str = "", **data) -> TimelineEvent:
    """An unsaved event, for callers that write many with bulk_create."""
    return TimelineEvent(referral=referral, type=type, actor=actor, message=message, data=data)
