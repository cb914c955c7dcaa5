"""Changes to training events and registrations (SPEC §7).

Registration and cancellation lock the event row, so two people taking the last seat at once
never both get it, and a freed seat goes to the first person on the waitlist in the same
transaction that freed it.
"""

import functools
import secrets
import zoneinfo
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.notifications import notify_in_app, notify_users
from portal.queueing import enqueue_on_commit
from portal.slugs import unique_slug
from training.models import (
    AUDIENCE_KINDS,
    RESERVED_SLUGS,
    SEAT_STATUSES,
    Event,
    EventStatus,
    Format,
    Registration,
    RegistrationStatus,
)
from training.permissions import can_create_events, can_manage_event, can_name_organisers, in_audience
from training.selectors import feed_token_hash

MAX_TOPICS = 10
MAX_TOPIC_LENGTH = 40
# Changing any of these changes where or when people must be: registrants are told.
TIME_AND_PLACE_FIELDS = ("starts_at", "ends_at", "timezone", "location", "online_url")
# Changing any of these changes the calendar entry: its iCalendar SEQUENCE goes up.
CALENDAR_FIELDS = (*TIME_AND_PLACE_FIELDS, "title", "description")
EDITABLE_FIELDS = (
    "title",
    "description",
    "format",
    "topics",
    "starts_at",
    "ends_at",
    "timezone",
    "location",
    "online_url",
    "capacity",
    "registration_closes_at",
    "audience",
    "materials",
)
REMINDER_LEAD = timedelta(hours=24)
MAX_CAPACITY = 100_000
MAX_DURATION = timedelta(days=31)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_time_zone(name: str) -> bool:
    return name in _zone_names()


def normalise_topics(topics) -> list[str]:
    if isinstance(topics, str):
        topics = topics.split(",")
    result: list[str] = []
    for topic in topics or []:
        value = " ".join(str(topic).split()).lower()
        if value and value not in result:
            result.append(value)
    return result


def _clean_event(data: dict) -> dict:
    """Check an event's fields together; raise one ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = _("Give the event a title.")
    if data.get("format") not in Format.values:
        errors["format"] = _("Choose one of: %(formats)s.") % {"formats": ", ".join(Format.values)}
    topics = normalise_topics(data.get("topics"))
    if len(topics) > MAX_TOPICS:
        errors["topics"] = ngettext("At most %(count)d topic.", "At most %(count)d topics.", MAX_TOPICS) % {
            "count": MAX_TOPICS
        }
    elif any(len(t) > MAX_TOPIC_LENGTH for t in topics):
        errors["topics"] = ngettext(
            "Each topic may have at most %(count)d character.",
            "Each topic may have at most %(count)d characters.",
            MAX_TOPIC_LENGTH,
        ) % {"count": MAX_TOPIC_LENGTH}
    data["topics"] = topics
    if not is_valid_time_zone(data.get("timezone") or ""):
        errors["timezone"] = _("Choose a time zone by its IANA name, such as Europe/Paris.")
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None:
        errors["starts_at"] = _("Give the start time.")
    if ends_at is None:
        errors["ends_at"] = _("Give the end time.")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    elif starts_at and ends_at and ends_at - starts_at > MAX_DURATION:
        errors["ends_at"] = ngettext(
            "An event may last at most %(count)d day.", "An event may last at most %(count)d days.", MAX_DURATION.days
        ) % {"count": MAX_DURATION.days}
    if starts_at and not (EARLIEST <= starts_at <= LATEST):
        errors["starts_at"] = _("Give a start between %(first)d and %(last)d.") % {
            "first": EARLIEST.year,
            "last": LATEST.year,
        }
    closes = data.get("registration_closes_at")
    if closes and starts_at and closes > starts_at:
        errors["registration_closes_at"] = _("Registration must close before the event starts.")
    data["location"] = (data.get("location") or "").strip()
    data["online_url"] = (data.get("online_url") or "").strip()
    if not data["location"] and not data["online_url"]:
        errors["location"] = _("Give a location, an online link, or both.")
    if data["online_url"] and not data["online_url"].lower().startswith(("https://", "http://")):
        errors["online_url"] = _("The online link must be an http or https address.")
    capacity = data.get("capacity")
    if capacity is not None and not (1 <= capacity <= MAX_CAPACITY):
        errors["capacity"] = _("Capacity must be from 1 to %(max)d, or empty for no limit.") % {"max": MAX_CAPACITY}
    audience = list(dict.fromkeys(data.get("audience") or []))
    if not audience:
        errors["audience"] = _("Choose who may register.")
    elif any(kind not in AUDIENCE_KINDS for kind in audience):
        errors["audience"] = _("Audience kinds are: %(kinds)s.") % {"kinds": ", ".join(AUDIENCE_KINDS)}
    data["audience"] = audience
    if errors:
        raise ValidationError(errors)
    return data


def _check_organisers(organisers) -> list:
    organisers = list(organisers or [])
    for user in organisers:
        if not user.is_active or organisation_of(user) is None:
            raise ValidationError({"organisers": _("%(email)s cannot organise events.") % {"email": user.email}})
    return organisers


# --- Events --------------------------------------------------------------------------------


@transaction.atomic
def event_create(*, by, slug: str = "", organisers=(), request=None, **fields) -> Event:
    """Policy staff publish an event; `fields` are the editable fields of the event."""
    if not can_create_events(by):
        raise NotAllowed(_("Only policy staff create training events."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {', '.join(sorted(unknown))}")
    data = _clean_event({**fields})
    organisers = _check_organisers(organisers)
    slug = slug.strip().lower()
    if slug:
        if slug in RESERVED_SLUGS or slug != slugify(slug):
            raise ValidationError({"slug": _("Use lower-case letters, digits and hyphens (not a reserved word).")})
        if Event.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("Another event already has this address.")})
    else:
        slug = unique_slug(data["title"], model=Event, fallback="event", reserved=RESERVED_SLUGS)
    event = Event.objects.create(slug=slug, organiser=by, **data)
    event.organisers.set(organisers)
    audit("training.event.create", actor=by, obj=event, request=request, slug=event.slug)
    return event


@transaction.atomic
def event_update(*, by, event: Event, organisers=None, request=None, **changes) -> Event:
    """Edit an event. Registrants hear of changes of time or place, with an updated .ics; a
    raised capacity gives the new seats to the waitlist."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not can_manage_event(by, event):
        raise NotAllowed(_("Only policy staff and the event's organisers may edit it."))
    if event.is_cancelled:
        raise TransitionError(_("A cancelled event cannot be edited."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {', '.join(sorted(unknown))}")
    data = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    data.update(changes)
    data = _clean_event(data)
    changed = [name for name in EDITABLE_FIELDS if data[name] != getattr(event, name)]
    for name in changed:
        setattr(event, name, data[name])
    if any(name in CALENDAR_FIELDS for name in changed):
        event.sequence += 1
    event.updated_at = timezone.now()
    event.save()
    if organisers is not None:
        if not can_name_organisers(by):
            raise NotAllowed(_("Only policy staff name an event's organisers."))
        event.organisers.set(_check_organisers(organisers))
        changed.append("organisers")
    if changed:
        audit("training.event.update", actor=by, obj=event, request=request, fields=changed)
    moved = [name for name in changed if name in TIME_AND_PLACE_FIELDS]
    if moved:
        _tell_registrants(event, change="updated", fields=moved)
    if "capacity" in changed:
        _promote_waitlisted(event, request=request)
    return event


@transaction.atomic
def event_cancel(*, by, event: Event, request=None) -> Event:
    """Cancel the whole event; everyone registered hears of it with a cancelling .ics."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not can_manage_event(by, event):
        raise NotAllowed(_("Only policy staff and the event's organisers may cancel it."))
    if event.is_cancelled:
        raise TransitionError(_("This event is already cancelled."))
    if event.has_ended():
        raise TransitionError(_("This event is over; it can no longer be cancelled."))
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save(update_fields=["status", "sequence", "updated_at"])
    audit("training.event.cancel", actor=by, obj=event, request=request)
    _tell_registrants(event, change="cancelled", fields=["status"])
    return event


def _tell_registrants(event: Event, *, change: str, fields: list[str]) -> None:
    """In-app notices now; e-mails with a per-person .ics from a task after commit."""

    registrations = list(
        event.registrations.filter(status__in=[*SEAT_STATUSES, RegistrationStatus.WAITLISTED]).select_related("user")
    )
    users = [r.user for r in registrations if r.user.is_active]
    if not users:
        return
    notify_in_app(
        users,
        "training_event_changed",
        {"event": event, "change": change, "fields": fields, "recipient": None, "show_online_url": False},
        link=event.get_absolute_url(),
    )
    enqueue_on_commit("training.tasks.send_event_change", event.pk, [u.pk for u in users], change, fields)


# --- Registrations ---------------------------------------------------------------------------


def _seats_taken(event: Event) -> int:
    return event.registrations.filter(status__in=SEAT_STATUSES).count()


@transaction.atomic
def registration_register(*, user, event: Event, request=None, now: datetime | None = None) -> Registration:
    """Take a seat, or a place on the waitlist when the event is full.

    Refusals: a cancelled event or closed registration are 400s; an existing registration is
    a 409; an organisation kind outside the audience is a 403.
    """
    now = now or timezone.now()
    # The lock serialises everyone registering for this event: the seat count read below
    # cannot change until this transaction ends.
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.is_cancelled:
        raise DomainError(_("This event has been cancelled."))
    if not event.registration_open(now):
        raise DomainError(_("Registration for this event has closed."))
    if not in_audience(user, event):
        raise NotAllowed(_("This event is not open to your organisation."))
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        # A conflict with the state the first request left, as a double click racing itself.
        raise TransitionError(_("You are already registered for this event."))
    full = event.capacity is not None and _seats_taken(event) >= event.capacity
    status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED
    if registration is None:
        registration = Registration.objects.create(
            event=event, user=user, status=status, created_at=now, updated_at=now
        )
    else:
        # Coming back after cancelling goes to the back of the line.
        registration.status = status
        registration.created_at = registration.updated_at = now
        registration.save(update_fields=["status", "created_at", "updated_at"])
    audit(
        "training.registration.create",
        actor=user,
        obj=registration,
        organisation=organisation_of(user),
        request=request,
        event=event.slug,
        status=status,
    )
    return registration


@transaction.atomic
def registration_cancel(*, user, event: Event, request=None, now: datetime | None = None) -> Registration:
    """Give up one's seat (or place in line); a freed seat goes to the first person waiting."""
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is None or registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        raise DomainError(_("You are not registered for this event."))
    if event.starts_at <= now and not event.is_cancelled:
        raise DomainError(_("This event has started; registrations can no longer be cancelled."))
    freed_seat = registration.status == RegistrationStatus.CONFIRMED
    previous = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.updated_at = now
    registration.save(update_fields=["status", "updated_at"])
    audit(
        "training.registration.cancel",
        actor=user,
        obj=registration,
        organisation=organisation_of(user),
        request=request,
        event=event.slug,
        previous=previous,
    )
    if freed_seat and not event.is_cancelled:
        _promote_waitlisted(event, now=now, request=request)
    return registration


def _promote_waitlisted(event: Event, *, now: datetime | None = None, request=None) -> list[Registration]:
    """Give free seats to the waitlist in order. The caller holds the event's row lock;
    `request` is the one that freed the seats (a cancellation, a raised capacity)."""
    now = now or timezone.now()
    if event.is_cancelled or event.starts_at <= now:
        return []
    promoted = []
    waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).select_related("user")
    free = None if event.capacity is None else max(event.capacity - _seats_taken(event), 0)
    for registration in waiting.order_by("created_at", "id")[:free]:
        registration.status = RegistrationStatus.CONFIRMED
        registration.updated_at = now
        registration.save(update_fields=["status", "updated_at"])
        audit(
            "training.registration.promote",
            obj=registration,
            organisation=organisation_of(registration.user),
            request=request,
            event=event.slug,
            user=registration.user.email,
        )
        notify_users(
            [registration.user],
            "training_promoted",
            {"event": event, "recipient": registration.user},
            link=event.get_absolute_url(),
        )
        promoted.append(registration)
    return promoted


@transaction.atomic
def registration_mark_attendance(*, by, registration: Registration, status: str, request=None) -> Registration:
    """Organisers record who came, once the event has started."""
    registration = Registration.objects.select_for_update().select_related("event", "user").get(pk=registration.pk)
    event = registration.event
    if not can_manage_event(by, event):
        raise NotAllowed(_("Only the event's organisers and policy staff mark attendance."))
    if status not in (RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW, RegistrationStatus.CONFIRMED):
        raise DomainError(_("Mark attended, no-show or confirmed."), field="status")
    if registration.status not in SEAT_STATUSES:
        raise TransitionError(_("Only people with a seat can be marked as attending."))
    if event.starts_at > timezone.now():
        raise TransitionError(_("Attendance can be marked once the event has started."))
    if registration.status != status:
        previous = registration.status
        registration.status = status
        registration.updated_at = timezone.now()
        registration.save(update_fields=["status", "updated_at"])
        audit(
            "training.registration.attendance",
            actor=by,
            obj=registration,
            request=request,
            event=event.slug,
            user=registration.user.email,
            previous=previous,
            status=status,
        )
    return registration


# --- Reminders -------------------------------------------------------------------------------


def registration_claim_reminder(*, registration_id: int, now: datetime) -> bool:
    """Claim the right to send one registration's reminder; True for exactly one caller."""
    return (
        Registration.objects.filter(
            pk=registration_id, reminder_sent_at__isnull=True, status=RegistrationStatus.CONFIRMED
        ).update(reminder_sent_at=now)
        == 1
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind each confirmed registrant once, within 24 hours of the start. Safe to run twice
    at once: each reminder is claimed by a conditional update before it is sent."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__status=EventStatus.SCHEDULED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_LEAD,
    ).values_list("pk", flat=True)
    sent = 0
    for registration_id in list(due[:1000]):
        with transaction.atomic():
            if not registration_claim_reminder(registration_id=registration_id, now=now):
                continue
            registration = Registration.objects.select_related("event", "user").get(pk=registration_id)
            notify_users(
                [registration.user],
                "training_reminder",
                {"event": registration.event, "registration": registration},
                link=registration.event.get_absolute_url(),
            )
            sent += 1
    return sent


# --- People's settings -------------------------------------------------------------------------


@transaction.atomic
def calendar_token_reset(*, user, request=None) -> str:
    """Issue a new secret feed token and return it, to be shown once: only its hash is kept,
    as for API tokens. The old feed address stops working at once."""
    token = secrets.token_urlsafe(32)
    user.calendar_token = feed_token_hash(token)
    user.save(update_fields=["calendar_token"])
    audit("training.calendar_token.reset", actor=user, obj=user, organisation=organisation_of(user), request=request)
    return token
