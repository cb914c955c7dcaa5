"""Counter-speech campaigns, the organisations partnering in them, their content and metrics.

The enum values and field names are the API contract (SPEC §6). Status is assigned only by
campaigns.services; models hold data, constraints and indexes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    ARCHIVED = "archived", _("Archived")


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CONTRIBUTOR = "contributor", _("Contributor")


class PartnerStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ContentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# What each step of a content item's history is called on its page (`ContentItemEvent.action`).
CONTENT_ACTION_LABELS = {
    "created": _("Created"),
    "edited": _("Edited"),
    "submitted": _("Submitted"),
    "approved": _("Approved"),
    "changes_requested": _("Changes requested"),
    "published": _("Published"),
    "withdrawn": _("Withdrawn"),
}

# A content item's fields by name, as an "edited" step of its history lists them.
CONTENT_FIELD_LABELS = {
    "title": _("Title"),
    "body": _("Body"),
    "channel": _("Channel"),
    "language": _("Language"),
    "planned_for": _("Planned for"),
}


class Campaign(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=2000, blank=True)
    goal = models.TextField(max_length=2000, blank=True)
    audience = models.TextField(max_length=2000, blank=True)
    key_messages = models.TextField(max_length=4000, blank=True)
    messengers = models.TextField(max_length=2000, blank=True)
    channels = models.JSONField(default=list, blank=True)
    call_to_action = models.TextField(max_length=1000, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text=_("ISO 639-1 codes"))
    countries = models.JSONField(default=list, blank=True, help_text=_("ISO 3166-1 alpha-2 codes"))
    hashtags = models.JSONField(default=list, blank=True)
    themes = models.JSONField(default=list, blank=True, help_text=_("Referral categories the campaign counters"))
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="owned_campaigns"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["status", "-start_date"], name="campaign_status_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_end_not_before_start")
        ]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        """Completed and archived campaigns take no new content."""
        return self.status in (CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED)


class CampaignPartner(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="campaign_partnerships"
    )
    role = models.CharField(max_length=12, choices=PartnerRole.choices)
    status = models.CharField(max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.INVITED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="campaign_partner_once"),
            # One lead at a time: a declined lead frees the place for another.
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(role="lead") & ~Q(status="declined"),
                name="campaign_one_lead",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="campaign_partner_org")]

    def __str__(self):
        return f"{self.organisation} ({self.role}, {self.status}) in {self.campaign}"


class ContentItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="content_items")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=10000)
    channel = models.CharField(max_length=40)
    language = models.CharField(max_length=2, help_text=_("ISO 639-1"))
    planned_for = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ContentStatus.choices, default=ContentStatus.DRAFT)
    published_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["campaign", "status"], name="content_campaign_status"),
            models.Index(fields=["planned_for"], name="content_planned_for"),
        ]

    def __str__(self):
        return self.title

    @property
    def calendar_date(self):
        """The day the item shows on the calendar: when it went out, else when it is planned."""
        if self.published_at is not None:
            return timezone.localdate(self.published_at)
        return self.planned_for


class ContentItemEvent(models.Model):
    """One step in a content item's history: who did what, when, with what comment."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action} on {self.item_id} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return CONTENT_ACTION_LABELS.get(self.action) or self.action.replace("_", " ").capitalize()

    @property
    def comment_display(self) -> str:
        """The comment as shown: an "edited" step names the changed fields by their labels."""
        if self.action != "edited":
            return self.comment
        names = [name.strip() for name in self.comment.split(",")]
        return ", ".join(str(CONTENT_FIELD_LABELS.get(name, name)) for name in names)


class MetricReport(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="metric_reports")
    content_item = models.ForeignKey(
        ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="metric_reports"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    impressions = models.PositiveBigIntegerField()
    engagements = models.PositiveBigIntegerField()
    shares = models.PositiveBigIntegerField()
    clicks = models.PositiveBigIntegerField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period_start", "id"]
        indexes = [models.Index(fields=["campaign", "period_start"], name="metric_campaign_period")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="metric_period_order")
        ]

    def __str__(self):
        return f"{self.campaign} {self.period_start}–{self.period_end}"
