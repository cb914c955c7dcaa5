"""Training events and the registrations for them (SPEC §7).

The enum values and field names are the API contract. Status is assigned only by
training.services; models hold data, constraints and indexes.
"""

import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from partners.models import OrganisationKind


class Format(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    WEBINAR = "webinar", _("Webinar")
    CONFERENCE = "conference", _("Conference")
    BRIEFING = "briefing", _("Briefing")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")


# A registration in one of these holds a seat: attendance marks keep it taken.
SEAT_STATUSES = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW})
ACTIVE_STATUSES = SEAT_STATUSES | {RegistrationStatus.WAITLISTED}
AUDIENCE_KINDS = tuple(OrganisationKind.values)
# Path segments under /training/ that an event slug may not take.
RESERVED_SLUGS = frozenset({"calendar", "feed", "settings", "new"})


class Event(models.Model):
    """A workshop, webinar, conference or briefing. Times are stored in UTC; `timezone` is
    the zone the organiser planned it in, used for its .ics and as the default display zone."""

    id = models.BigAutoField(primary_key=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=16, choices=Format.choices)
    topics = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, default="UTC")
    location = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    registration_closes_at = models.DateTimeField(null=True, blank=True)
    audience = models.JSONField(default=list, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="organised_events"
    )
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="co_organised_events")
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    materials = models.TextField(blank=True)
    # iCalendar SEQUENCE: bumped whenever time, place or status change.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="training_event_capacity_positive"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training-event", kwargs={"slug": self.slug})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def closes_at(self):
        """Registration closes at `registration_closes_at`, and at the start at the latest."""
        if self.registration_closes_at is None:
            return self.starts_at
        return min(self.registration_closes_at, self.starts_at)

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    def has_ended(self, now=None) -> bool:
        return self.ends_at <= (now or dj_timezone.now())

    def registration_open(self, now=None) -> bool:
        return not self.is_cancelled and (now or dj_timezone.now()) < self.closes_at


class Registration(models.Model):
    """One person's place (or place in line) at one event. A cancelled registration is reused
    when the person registers again, so there is one row per person and event."""

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_registrations")
    status = models.CharField(max_length=16, choices=RegistrationStatus.choices)
    # Waitlist order; reset when a cancelled registration is reused.
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="training_registration_one_per_user")]
        indexes = [
            models.Index(fields=["event", "status", "created_at"]),
            models.Index(fields=["user", "status"]),
            models.Index(fields=["status", "reminder_sent_at"]),
        ]

    def __str__(self):
        return f"{self.user} at {self.event} ({self.status})"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
