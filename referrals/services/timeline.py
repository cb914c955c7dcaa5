"""Appending to a referral's timeline: the one place TimelineEvent rows are built and written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from referrals.models import Referral, TimelineEvent


def timeline_event(
    referral: Referral, type: str, actor=None, message: str = "", *, at: datetime | None = None, **data
) -> TimelineEvent:
    """An unsaved event that `type` happened to `referral` (by `actor`, None for the system),
    for callers that write many at once with `timeline_add_many`.

    `message` is shown to the submitter as written, so it must not name platform staff nor
    anything of another organisation; `data` is kept for reviewers and must be
    JSON-serialisable, and its `platform_message`, if any, is what platform roles read instead
    of `message` (e.g. naming the other referral that closed this one).
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = TimelineEvent(referral=referral, type=type, actor=actor, message=message, data=data)
    if at is not None:
        event.at = at
    return event


def timeline_add(referral: Referral, type: str, actor=None, message: str = "", **data) -> TimelineEvent:
    """Record that `type` happened to `referral` (see `timeline_event`)."""
    event = timeline_event(referral, type, actor, message, **data)
    event.save(force_insert=True)
    return event


def timeline_add_many(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Write events built by `timeline_event` in one statement."""
    return TimelineEvent.objects.bulk_create(events)
