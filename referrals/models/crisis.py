"""Crisis mode (SPEC §18): incidents, their bulletins to partners, and shared hash lists.

- `Incident`: declared by policy staff or a queue lead with a level, keywords and URLs (kept
  normalised in `targets`, and their accounts in `subjects`); while `active`, routing sends the
  referrals matching it to its own queue (`incident-<slug>`) with the level's points, and marks
  them with `Referral.incident`. Closing it ends the surge; its counts stay for the report.
- `Bulletin`: what partners should report and how, sent to every member of every verified
  partner organisation.
- `SharedHash`: a hash of perpetrator content in an incident's list, imported from another
  platform's list (evidence matching one is flagged known content, `Evidence.shared_hash`).
  The list the portal exports is read from the incident's actioned evidence, not stored.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from referrals.choices import HashType, IncidentLevel, IncidentStatus


class Incident(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    level = models.PositiveSmallIntegerField(choices=IncidentLevel.choices)
    keywords = models.JSONField(default=list, blank=True)
    urls = models.JSONField(default=list, blank=True)
    # The URLs normalised like a referral's targets: [{url, platform, account, content_id}].
    targets = models.JSONField(default=list, blank=True)
    subjects = models.ManyToManyField("referrals.Subject", blank=True, related_name="incidents")
    status = models.CharField(max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE)
    queue = models.ForeignKey("referrals.Queue", on_delete=models.PROTECT, related_name="incidents")
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "pk"]
        indexes = [models.Index(fields=["declared_at"], name="incident_active", condition=Q(status="active"))]

    def __str__(self):
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == IncidentStatus.ACTIVE


class Bulletin(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="bulletins")
    body = models.TextField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self):
        return f"Bulletin on {self.incident_id} at {self.posted_at:%Y-%m-%d %H:%M}"


class SharedHash(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="shared_hashes")
    hash_type = models.CharField(max_length=8, choices=HashType.choices)
    # Lower-case hex: 64 characters for both SHA-256 and PDQ (256 bits).
    hash = models.CharField(max_length=64)
    label = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["imported_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "hash_type", "hash"], name="shared_hash_once_per_incident")
        ]
        indexes = [models.Index(fields=["hash_type", "hash"], name="shared_hash_lookup")]

    def __str__(self):
        return f"{self.hash_type}:{self.hash[:12]}…"
