"""Appending to a referral's timeline: the one place TimelineEvent rows are built and written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from referrals.models import Referral, TimelineEvent
from referrals.timeline_text import TimelineText


def timeline_event(
    referral: Referral,
    type: str,
    actor=None,
    message: str | TimelineText = "",
    *,
    at: datetime | None = None,
    **data,
) -> TimelineEvent:
    """An unsaved event that `type` happened to `referral` (by `actor`, None for the system),
    for callers that write many at once with `timeline_add_many`.

    `message` is shown to the submitter as written, so it must not name platform staff nor
    anything of another organisation; `data` is kept for reviewers and must be
    JSON-serialisable, and its `platform_message`, if any, is what platform roles read instead
    of `message` (e.g. naming the other referral that closed this one). With `platform_only=True`
    in `data` the whole event is internal to the platform (an escalation): nobody else sees it
    (referrals.selectors.referral_events).

    The system's own lines are `TimelineText`s: stored in English with their message id, so
    each reader gets them in their language (referrals/timeline_text.py); so can be
    `platform_message`.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if isinstance(message, TimelineText):
        data["said"] = message.as_data()
        message = message.english()
    platform_message = data.get("platform_message")
    if isinstance(platform_message, TimelineText):
        data["platform_said"] = platform_message.as_data()
        data["platform_message"] = platform_message.english()
    event = TimelineEvent(referral=referral, type=type, actor=actor, message=message, data=data)
    if at is not None:
        event.at = at
    return event


def timeline_add(referral: Referral, type: str, actor=None, message: str | TimelineText = "", **data) -> TimelineEvent:
    """Record that `type` happened to `referral` (see `timeline_event`)."""
    event = timeline_event(referral, type, actor, message, **data)
    event.save(force_insert=True)
    return event


def timeline_add_many(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Write events built by `timeline_event` in one statement."""
    return TimelineEvent.objects.bulk_create(events)
