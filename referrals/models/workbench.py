"""The reviewer's workbench (SPEC §15): decision templates, team notes and exposure counts.

Notes are internal to the platform: no partner-facing serializer, template, e-mail or export
reads this module's models (tests/referrals/workbench/test_partner_surfaces.py walks them).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.choices import Action, Ground


class DecisionTemplate(models.Model):
    """A statement (and, for a decision, its outcome) that a reviewer applies with one choice.

    `statement_of_reasons` may hold the placeholders {account}, {platform}, {reference} and
    {policy}, filled in for each referral. An empty `action` makes it a template for requests
    for information. `kinds` empty: every kind; `language` empty: every language."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language"), max_length=2, blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    action = models.CharField(_("outcome"), max_length=24, choices=Action.choices, blank=True)
    ground = models.CharField(_("ground"), max_length=8, choices=Ground.choices, blank=True)
    policy = models.CharField(_("policy"), max_length=300, blank=True)
    statement_of_reasons = models.TextField(_("text"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "language"], name="template_name_language")]

    def __str__(self):
        return self.name

    @property
    def is_request_for_information(self) -> bool:
        return not self.action


class Note(models.Model):
    """A platform-internal note on a referral: never shown to its submitter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    body = models.TextField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="note_referral")]

    def __str__(self):
        return f"note on {self.referral_id} at {self.at:%Y-%m-%d %H:%M}"


class ExposureDay(models.Model):
    """How much extremist media one reviewer revealed or downloaded on one day (UTC)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reveals = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="exposure_user_day")]
        indexes = [models.Index(fields=["day"], name="exposure_day")]

    def __str__(self):
        return f"{self.user_id} on {self.day}: {self.reveals} reveals, {self.downloads} downloads"
