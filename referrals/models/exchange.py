"""The exchange between the platform and the organisations that file (SPEC §17).

- `Message`: one message on a referral, written by the submitting organisation or by the
  platform, until the referral closes; a request for information and its answer are messages
  too. Partners never learn which platform person wrote one ("Platform reviewer").
- `Production`: a file of disclosed or preserved data the platform delivers to the agency that
  made a request, stored privately with its SHA-256, downloadable until `available_until`,
  then deleted (the row stays, with `file_deleted_at`).
- `OutboundNotice`: the platform telling an agency of a suspected threat to life or safety it
  found itself (DSA Art. 18), with a summary and the accounts; the agency acknowledges it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from referrals.choices import MessageSide


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(max_length=10, choices=MessageSide.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="message_referral_at")]

    def __str__(self):
        return f"Message on {self.referral_id} from the {self.side}"


class Production(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="productions")
    name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=80)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    available_until = models.DateTimeField()
    downloads = models.PositiveIntegerField(default=0)
    first_downloaded_at = models.DateTimeField(null=True, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [
            # The expiry job reads only files still on disk.
            models.Index(
                fields=["available_until"], name="production_expiring", condition=Q(file_deleted_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"Production {self.name} for {self.referral_id}"

    @property
    def is_available(self) -> bool:
        return self.file_deleted_at is None and timezone.now() < self.available_until


class OutboundNotice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="outbound_notices")
    summary = models.TextField()
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_notices"
    )
    # The accounts, normalised like a referral's targets: [{url?, platform, account, content_id}].
    targets = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["agency", "-created_at"], name="outbound_agency_recent")]

    def __str__(self):
        return f"Outbound notice to {self.agency_id} ({self.created_at:%Y-%m-%d})"
