"""Reads of training events and registrations, scoped to the person asking."""

import hashlib
import json
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from portal.accounts.roles import is_policy_staff
from training.models import SEAT_STATUSES, Event, Registration, RegistrationStatus
from training.permissions import can_see_events


def events_visible_to(user) -> QuerySet[Event]:
    """Every signed-in person sees every event; anyone else sees none."""
    if not can_see_events(user):
        return Event.objects.none()
    return Event.objects.select_related("organiser").annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES)),
        waitlist_length=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
    )


def events_filtered(
    user,
    *,
    format: str = "",
    topic: str = "",
    after: datetime | None = None,
    before: datetime | None = None,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """The schedule: events not yet over (or those starting in [after, before) when given)."""
    qs = events_visible_to(user)
    if after is None and before is None:
        qs = qs.filter(ends_at__gt=now or timezone.now())
    if after is not None:
        qs = qs.filter(starts_at__gte=after)
    if before is not None:
        qs = qs.filter(starts_at__lt=before)
    if format:
        qs = qs.filter(format=format)
    if topic:
        # Topics are a JSON list of lower-case strings; matching the quoted element works on
        # SQLite and PostgreSQL alike (JSON `contains` is PostgreSQL-only).
        qs = qs.filter(topics__icontains=json.dumps(topic.strip().lower()))
    return qs.order_by("starts_at", "id")


def topics_in_use(user, *, now: datetime | None = None) -> list[str]:
    topics: set[str] = set()
    for values in events_visible_to(user).filter(ends_at__gt=now or timezone.now()).values_list("topics", flat=True):
        topics.update(values or [])
    return sorted(topics)


def registrations_visible_to(user) -> QuerySet[Registration]:
    """Your own registrations; those of events you organise; every one for policy staff."""
    if not can_see_events(user):
        return Registration.objects.none()
    qs = Registration.objects.select_related("event", "user")
    if is_policy_staff(user):
        return qs
    return qs.filter(Q(user=user) | Q(event__organiser=user) | Q(event__organisers=user)).distinct()


def registration_of(user, event) -> Registration | None:
    if not can_see_events(user):
        return None
    return Registration.objects.filter(event=event, user=user).first()


def my_registrations(user, *, upcoming_only: bool = True, now: datetime | None = None) -> QuerySet[Registration]:
    qs = Registration.objects.filter(user=user, status__in=[*SEAT_STATUSES, RegistrationStatus.WAITLISTED])
    if upcoming_only:
        qs = qs.filter(event__ends_at__gt=now or timezone.now())
    return qs.select_related("event").order_by("event__starts_at", "event_id")


def event_registrants(event) -> QuerySet[Registration]:
    """The people registered for `event` (callers check `can_manage_event` first)."""
    return (
        event.registrations.exclude(status=RegistrationStatus.CANCELLED)
        .select_related("user", "user__membership__organisation")
        .order_by("created_at", "id")
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person in line; None unless waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = (
        Registration.objects.filter(event_id=registration.event_id, status=RegistrationStatus.WAITLISTED)
        .filter(
            Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, id__lt=registration.id)
        )
        .count()
    )
    return ahead + 1


def feed_token_hash(token: str) -> str:
    """What is stored of a calendar-feed secret: its SHA-256, as for API tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_owner(token: str):
    """The user whose secret calendar-feed token this is, or None."""
    from django.contrib.auth import get_user_model

    if not token or len(token) < 20:
        return None
    return get_user_model().objects.filter(calendar_token=feed_token_hash(token), is_active=True).first()


def feed_events(user) -> QuerySet[Event]:
    """Events `user` holds a confirmed seat at (cancelled events stay, marked cancelled)."""
    return (
        Event.objects.filter(registrations__user=user, registrations__status__in=SEAT_STATUSES)
        .select_related("organiser")
        .distinct()
        .order_by("starts_at", "id")
    )


def viewer_context(user, events) -> dict:
    """What the caller is to each of `events`, in two queries: their registration status and
    whether they organise it (policy staff organise every event)."""
    ids = [e.pk for e in events]
    statuses = dict(Registration.objects.filter(user=user, event_id__in=ids).values_list("event_id", "status"))
    if is_policy_staff(user):
        managed = set(ids)
    else:
        managed = set(
            Event.objects.filter(pk__in=ids).filter(Q(organiser=user) | Q(organisers=user)).values_list("pk", flat=True)
        )
    return {"statuses": statuses, "managed": managed}
