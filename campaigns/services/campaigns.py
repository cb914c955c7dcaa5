"""Campaigns: creation, plan edits and the status life cycle (SPEC §6)."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import (
    Campaign,
    CampaignStatus,
    PartnerRole,
    PartnerStatus,
)
from campaigns.permissions import (
    can_manage_campaigns,
)
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.slugs import unique_slug

# Paths under /campaigns/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"new", "calendar"})

PLAN_FIELDS = (
    "summary",
    "goal",
    "audience",
    "key_messages",
    "messengers",
    "channels",
    "call_to_action",
    "languages",
    "countries",
    "hashtags",
    "themes",
)
EDITABLE_FIELDS = ("title", "start_date", "end_date", *PLAN_FIELDS)

# The campaign life cycle (SPEC §6). Activation has a further precondition (see below).
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.COMPLETED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.COMPLETED}),
    CampaignStatus.COMPLETED: frozenset({CampaignStatus.ARCHIVED}),
    CampaignStatus.ARCHIVED: frozenset(),
}


# --- Campaigns --------------------------------------------------------------------------------


def _check_dates(start_date: dt.date, end_date: dt.date) -> None:
    if end_date < start_date:
        raise DomainError(_("The end date must not be before the start date."), field="end_date")


@transaction.atomic
def campaign_create(
    *, by, title: str, start_date: dt.date, end_date: dt.date, slug: str = "", request=None, **plan
) -> Campaign:
    if not can_manage_campaigns(by):
        raise NotAllowed(_("Only policy staff create campaigns."))
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the campaign a title."), field="title")
    _check_dates(start_date, end_date)
    if slug:
        if slug in RESERVED_SLUGS:
            raise DomainError(_("“%(slug)s” is reserved; choose another address.") % {"slug": slug}, field="slug")
        if Campaign.objects.filter(slug=slug).exists():
            raise DomainError(_("Another campaign already uses this address."), field="slug")
    else:
        slug = unique_slug(title, model=Campaign, fallback="campaign", reserved=RESERVED_SLUGS)
    campaign = Campaign.objects.create(
        slug=slug, title=title, start_date=start_date, end_date=end_date, owner=by, **plan
    )
    audit("campaign.create", actor=by, obj=campaign, request=request, slug=slug, title=title)
    return campaign


@transaction.atomic
def campaign_update(*, by, campaign: Campaign, request=None, **fields) -> Campaign:
    """Change the plan, title or dates. Archived campaigns are frozen."""
    if not can_manage_campaigns(by):
        raise NotAllowed(_("Only policy staff edit campaigns."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields can't be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError(_("An archived campaign can't be changed."))
    if "title" in fields and not (fields["title"] or "").strip():
        raise DomainError(_("Give the campaign a title."), field="title")
    start = fields.get("start_date", campaign.start_date)
    end = fields.get("end_date", campaign.end_date)
    _check_dates(start, end)
    if campaign.status != CampaignStatus.DRAFT and end <= start:
        raise DomainError(_("A running campaign must end after it starts."), field="end_date")
    changed = {}
    for name, value in fields.items():
        if getattr(campaign, name) != value:
            changed[name] = value
            setattr(campaign, name, value)
    if changed:
        campaign.save(update_fields=[*changed, "updated_at"])
        audit("campaign.update", actor=by, obj=campaign, request=request, fields=sorted(changed))
    return campaign


def _activation_problem(campaign: Campaign) -> str | None:
    has_lead = campaign.partners.filter(role=PartnerRole.LEAD, status=PartnerStatus.ACCEPTED).exists()
    if not has_lead:
        return _("A campaign can be active only once a lead partner has accepted.")
    if campaign.end_date <= campaign.start_date:
        return _("A campaign can be active only when its end date is after its start date.")
    return None


@transaction.atomic
def campaign_change_status(*, by, campaign: Campaign, status: str, request=None) -> Campaign:
    """Move the campaign along CAMPAIGN_TRANSITIONS; anything else is a 409."""
    if not can_manage_campaigns(by):
        raise NotAllowed(_("Only policy staff change a campaign's status."))
    if status not in CampaignStatus.values:
        raise DomainError(_("“%(status)s” is not a campaign status.") % {"status": status}, field="status")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    old = campaign.status
    if status not in CAMPAIGN_TRANSITIONS[old]:
        raise TransitionError(
            _("A %(old)s campaign can't become %(new)s.")
            % {"old": CampaignStatus(old).label.lower(), "new": CampaignStatus(status).label.lower()}
        )
    if status == CampaignStatus.ACTIVE:
        problem = _activation_problem(campaign)
        if problem:
            raise TransitionError(problem)
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    audit("campaign.status", actor=by, obj=campaign, request=request, old=old, new=status)
    return campaign


__all__ = [
    "CAMPAIGN_TRANSITIONS",
    "EDITABLE_FIELDS",
    "PLAN_FIELDS",
    "RESERVED_SLUGS",
    "campaign_change_status",
    "campaign_create",
    "campaign_update",
]
