"""Holds (SPEC §5, §17): a subject's data kept for a preservation request until its date, or for
six months after content was removed under a removal order (TCO Regulation Art. 6)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from referrals.choices import HoldBasis


class PreservationHold(models.Model):
    """Data of a subject kept for a preservation request until `until`."""

    subject = models.ForeignKey("referrals.Subject", on_delete=models.CASCADE, related_name="holds")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="holds")
    until = models.DateField()
    basis = models.CharField(max_length=16, choices=HoldBasis.choices, default=HoldBasis.PRESERVATION)
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["until"], name="hold_until", condition=Q(released_at__isnull=True))]

    def __str__(self):
        return f"Hold on {self.subject} until {self.until}"
