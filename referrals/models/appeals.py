"""Redress (SPEC §16): appeals by the organisation that filed a referral, and complaints from
the account holder it was about, against the decision taken on it.

An appeal is decided once, by someone other than the person who took the decision, and its
outcome is `upheld` (the decision stands) or `reversed` (lifted, or taken again); the services
in referrals.redress do the rest. Complaints are the account holder's, recorded by platform
staff: no partner-facing serializer, template, e-mail or export reads one.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.choices import Action


class AppealSource(models.TextChoices):
    NOTIFIER = "notifier", _("Appeal by the notifier")
    ACCOUNT_HOLDER = "account_holder", _("Complaint by the account holder")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DECIDED = "decided", _("Decided")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the decision stands")
    REVERSED = "reversed", _("Reversed")


class Appeal(models.Model):
    """One appeal (`notifier`) or complaint (`account_holder`) against a referral's decision.

    `decision` is the decision contested while it exists; `original` keeps what it said
    (action, ground, policy, statement, scope, end, when and by whom) from the moment the
    appeal was filed, because a reversed decision that restricted nothing is taken off the
    referral so that a fresh one can be made (see referrals.redress.services).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="appeals")
    decision = models.ForeignKey(
        "referrals.Decision", null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    original_action = models.CharField(max_length=24, choices=Action.choices)
    original_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, choices=AppealSource.choices)
    reason = models.TextField()
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals_filed"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    status = models.CharField(max_length=8, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    outcome = models.CharField(max_length=8, choices=AppealOutcome.choices, blank=True)
    statement = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    filed_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    queue = models.ForeignKey("referrals.Queue", on_delete=models.PROTECT, related_name="appeals")

    class Meta:
        ordering = ["-filed_at", "pk"]
        indexes = [
            # The appeals page: open ones by due date.
            models.Index(fields=["due_at"], name="appeal_open_due", condition=Q(status="open")),
            models.Index(fields=["organisation", "-filed_at"], name="appeal_organisation"),
            models.Index(fields=["decided_at"], name="appeal_decided"),
        ]
        constraints = [
            # A notifier appeals a decision once (SPEC §16); complaints may be several.
            models.UniqueConstraint(
                fields=["referral"], name="appeal_one_per_notifier", condition=Q(source="notifier")
            ),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(outcome="")) | (Q(status="decided") & ~Q(outcome="")),
                name="appeal_outcome_when_decided",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} on {self.referral_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN

    @property
    def is_complaint(self) -> bool:
        return self.source == AppealSource.ACCOUNT_HOLDER

    @property
    def reversed(self) -> bool:
        return self.outcome == AppealOutcome.REVERSED
