"""Changes to campaigns, their partners, content items and metric reports.

Every function checks who acts, locks the row it changes, checks the current state, writes
the change and an audit entry. Status is assigned nowhere else.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from campaigns import metrics_csv
from campaigns.models import (
    Campaign,
    CampaignPartner,
    CampaignStatus,
    ContentItem,
    ContentItemEvent,
    ContentStatus,
    MetricReport,
    PartnerRole,
    PartnerStatus,
)
from campaigns.permissions import (
    can_answer_invitation,
    can_manage_campaigns,
    can_report_metrics,
    can_review_content,
    can_withdraw_content,
    can_write_content,
    is_author_side,
)
from campaigns.validation import clean_published_url
from partners.models import Organisation, OrganisationKind
from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.queueing import enqueue_on_commit

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


def _unique_slug(base: str) -> str:
    base = slugify(base)[:70] or "campaign"
    if base in RESERVED_SLUGS:
        base = f"{base}-campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_dates(start_date: dt.date, end_date: dt.date) -> None:
    if end_date < start_date:
        raise DomainError("The end date must not be before the start date.", field="end_date")


@transaction.atomic
def campaign_create(
    *, by, title: str, start_date: dt.date, end_date: dt.date, slug: str = "", request=None, **plan
) -> Campaign:
    if not can_manage_campaigns(by):
        raise NotAllowed("Only policy staff create campaigns.")
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    title = (title or "").strip()
    if not title:
        raise DomainError("Give the campaign a title.", field="title")
    _check_dates(start_date, end_date)
    if slug:
        if slug in RESERVED_SLUGS:
            raise DomainError(f"“{slug}” is reserved; choose another address.", field="slug")
        if Campaign.objects.filter(slug=slug).exists():
            raise DomainError("Another campaign already uses this address.", field="slug")
    else:
        slug = _unique_slug(title)
    campaign = Campaign.objects.create(
        slug=slug, title=title, start_date=start_date, end_date=end_date, owner=by, **plan
    )
    audit("campaign.create", actor=by, obj=campaign, request=request, slug=slug, title=title)
    return campaign


@transaction.atomic
def campaign_update(*, by, campaign: Campaign, request=None, **fields) -> Campaign:
    """Change the plan, title or dates. Archived campaigns are frozen."""
    if not can_manage_campaigns(by):
        raise NotAllowed("Only policy staff edit campaigns.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields can't be changed: {', '.join(sorted(unknown))}.")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError("An archived campaign can't be changed.")
    if "title" in fields and not (fields["title"] or "").strip():
        raise DomainError("Give the campaign a title.", field="title")
    start = fields.get("start_date", campaign.start_date)
    end = fields.get("end_date", campaign.end_date)
    _check_dates(start, end)
    if campaign.status != CampaignStatus.DRAFT and end <= start:
        raise DomainError("A running campaign must end after it starts.", field="end_date")
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
        return "A campaign can be active only once a lead partner has accepted."
    if campaign.end_date <= campaign.start_date:
        return "A campaign can be active only when its end date is after its start date."
    return None


@transaction.atomic
def campaign_change_status(*, by, campaign: Campaign, status: str, request=None) -> Campaign:
    """Move the campaign along CAMPAIGN_TRANSITIONS; anything else is a 409."""
    if not can_manage_campaigns(by):
        raise NotAllowed("Only policy staff change a campaign's status.")
    if status not in CampaignStatus.values:
        raise DomainError(f"“{status}” is not a campaign status.", field="status")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    old = campaign.status
    if status not in CAMPAIGN_TRANSITIONS[old]:
        raise TransitionError(
            f"A {CampaignStatus(old).label.lower()} campaign can't become {CampaignStatus(status).label.lower()}."
        )
    if status == CampaignStatus.ACTIVE:
        problem = _activation_problem(campaign)
        if problem:
            raise TransitionError(problem)
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    audit("campaign.status", actor=by, obj=campaign, request=request, old=old, new=status)
    return campaign


# --- Partners ---------------------------------------------------------------------------------


@transaction.atomic
def partner_invite(*, by, campaign: Campaign, organisation: Organisation, role: str, request=None) -> CampaignPartner:
    """Invite an NGO as lead or contributor; its members are told by e-mail after commit."""
    from campaigns.tasks import notify_partner_invited

    if not can_manage_campaigns(by):
        raise NotAllowed("Only policy staff invite campaign partners.")
    if role not in PartnerRole.values:
        raise DomainError("Choose lead or contributor.", field="role")
    if organisation.kind != OrganisationKind.NGO:
        raise DomainError("Only NGOs can partner in a campaign.", field="organisation")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise TransitionError("A completed or archived campaign takes no new partners.")
    existing = CampaignPartner.objects.select_for_update().filter(campaign=campaign, organisation=organisation).first()
    if existing is not None and existing.status != PartnerStatus.DECLINED:
        raise DomainError(
            f"{organisation.name} is already {existing.get_status_display().lower()} in this campaign.",
            field="organisation",
        )
    if role == PartnerRole.LEAD:
        other_lead = (
            campaign.partners.filter(role=PartnerRole.LEAD)
            .exclude(status=PartnerStatus.DECLINED)
            .exclude(organisation=organisation)
            .select_related("organisation")
            .first()
        )
        if other_lead is not None:
            raise DomainError(f"{other_lead.organisation.name} is already the lead partner.", field="role")
    if existing is None:
        partner = CampaignPartner.objects.create(campaign=campaign, organisation=organisation, role=role, invited_by=by)
    else:
        partner = existing
        partner.role = role
        partner.status = PartnerStatus.INVITED
        partner.invited_by = by
        partner.invited_at = timezone.now()
        partner.responded_by = None
        partner.responded_at = None
        partner.save()
    audit(
        "campaign.partner_invite",
        actor=by,
        obj=campaign,
        organisation=organisation,
        request=request,
        partner=organisation.slug,
        role=role,
    )
    enqueue_on_commit(notify_partner_invited, partner.pk)
    return partner


def _answer(*, by, partner: CampaignPartner, status: str, request=None) -> CampaignPartner:
    if not can_answer_invitation(by, partner):
        raise NotAllowed("Only members of the invited organisation answer this invitation.")
    partner = CampaignPartner.objects.select_for_update().select_related("campaign").get(pk=partner.pk)
    if partner.status != PartnerStatus.INVITED:
        raise TransitionError(f"This invitation was already {partner.get_status_display().lower()}.")
    if partner.campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError("This campaign is archived.")
    partner.status = status
    partner.responded_by = by
    partner.responded_at = timezone.now()
    partner.save(update_fields=["status", "responded_by", "responded_at"])
    audit(
        f"campaign.partner_{'accept' if status == PartnerStatus.ACCEPTED else 'decline'}",
        actor=by,
        obj=partner.campaign,
        organisation=partner.organisation,
        request=request,
        role=partner.role,
    )
    return partner


@transaction.atomic
def partner_accept(*, by, partner: CampaignPartner, request=None) -> CampaignPartner:
    return _answer(by=by, partner=partner, status=PartnerStatus.ACCEPTED, request=request)


@transaction.atomic
def partner_decline(*, by, partner: CampaignPartner, request=None) -> CampaignPartner:
    return _answer(by=by, partner=partner, status=PartnerStatus.DECLINED, request=request)


def partner_notify_invited(*, partner: CampaignPartner) -> None:
    """Tell the invited organisation's members (in-app and by e-mail)."""
    from portal.notifications import notify_users

    if partner.status != PartnerStatus.INVITED:
        return
    members = [m.user for m in partner.organisation.memberships.select_related("user")]
    notify_users(
        members,
        "campaign_invitation",
        {"partner": partner, "campaign": partner.campaign, "organisation": partner.organisation},
        link=f"/campaigns/{partner.campaign.slug}/",
    )


# --- Content items ----------------------------------------------------------------------------

CONTENT_FIELDS = ("title", "body", "channel", "language", "planned_for")


def _record(item: ContentItem, *, by, action: str, old: str, comment: str = "", request=None) -> ContentItemEvent:
    event = ContentItemEvent.objects.create(
        item=item, actor=by, action=action, from_status=old, to_status=item.status, comment=comment
    )
    audit(
        f"content.{action}",
        actor=by,
        obj=item,
        organisation=item.organisation,
        request=request,
        campaign=item.campaign.slug,
        old=old,
        new=item.status,
    )
    return event


def _check_content_fields(fields: dict) -> None:
    for name in ("title", "body", "channel", "language"):
        if name in fields and not (fields[name] or "").strip():
            raise DomainError("Required.", field=name)


@transaction.atomic
def content_item_create(*, by, campaign: Campaign, request=None, **fields) -> ContentItem:
    if not can_write_content(by, campaign):
        raise NotAllowed("Only members of the campaign's partner organisations write content.")
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    _check_content_fields({n: fields.get(n, "") for n in ("title", "body", "channel", "language")})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise TransitionError("A completed or archived campaign takes no new content.")
    item = ContentItem.objects.create(campaign=campaign, author=by, organisation=organisation_of(by), **fields)
    _record(item, by=by, action="created", old="", request=request)
    return item


def _lock(item: ContentItem) -> ContentItem:
    return ContentItem.objects.select_for_update().select_related("campaign", "organisation").get(pk=item.pk)


def _require(item: ContentItem, allowed: set[str], verb: str) -> None:
    if item.status not in allowed:
        raise TransitionError(f"An item that is {item.get_status_display().lower()} can't be {verb}.")
    if item.campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError("The campaign is archived.")


@transaction.atomic
def content_item_update(*, by, item: ContentItem, request=None, **fields) -> ContentItem:
    if not is_author_side(by, item):
        raise NotAllowed("Only the author's organisation edits this item.")
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    _check_content_fields(fields)
    item = _lock(item)
    _require(item, {ContentStatus.DRAFT, ContentStatus.CHANGES_REQUESTED}, "edited")
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
        _record(item, by=by, action="edited", old=item.status, comment=", ".join(changed), request=request)
    return item


@transaction.atomic
def content_item_submit(*, by, item: ContentItem, comment: str = "", request=None) -> ContentItem:
    """Send a draft, or a reworked item after changes were requested, for review."""
    if not is_author_side(by, item):
        raise NotAllowed("Only the author's organisation submits this item.")
    item = _lock(item)
    _require(item, {ContentStatus.DRAFT, ContentStatus.CHANGES_REQUESTED}, "submitted")
    old, item.status = item.status, ContentStatus.IN_REVIEW
    item.save(update_fields=["status", "updated_at"])
    _record(item, by=by, action="submitted", old=old, comment=comment, request=request)
    return item


def _review(*, by, item: ContentItem, status: str, action: str, comment: str, request) -> ContentItem:
    from campaigns.tasks import notify_content_reviewed

    if not can_review_content(by, item):
        raise NotAllowed("Only policy staff or the lead partner review content (not their own).")
    item = _lock(item)
    _require(item, {ContentStatus.IN_REVIEW}, "reviewed")
    old, item.status = item.status, status
    item.save(update_fields=["status", "updated_at"])
    event = _record(item, by=by, action=action, old=old, comment=comment, request=request)
    enqueue_on_commit(notify_content_reviewed, event.pk)
    return item


@transaction.atomic
def content_item_approve(*, by, item: ContentItem, comment: str = "", request=None) -> ContentItem:
    return _review(
        by=by, item=item, status=ContentStatus.APPROVED, action="approved", comment=comment.strip(), request=request
    )


@transaction.atomic
def content_item_request_changes(*, by, item: ContentItem, comment: str, request=None) -> ContentItem:
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("Say what needs to change.", field="comment")
    return _review(
        by=by,
        item=item,
        status=ContentStatus.CHANGES_REQUESTED,
        action="changes_requested",
        comment=comment,
        request=request,
    )


@transaction.atomic
def content_item_publish(*, by, item: ContentItem, published_url: str, request=None) -> ContentItem:
    if not is_author_side(by, item):
        raise NotAllowed("Only the author's organisation marks this item published.")
    try:
        published_url = clean_published_url(published_url)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="published_url") from exc
    item = _lock(item)
    _require(item, {ContentStatus.APPROVED}, "published")
    old, item.status = item.status, ContentStatus.PUBLISHED
    item.published_url = published_url
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_url", "published_at", "updated_at"])
    _record(item, by=by, action="published", old=old, comment=published_url, request=request)
    return item


@transaction.atomic
def content_item_withdraw(*, by, item: ContentItem, comment: str = "", request=None) -> ContentItem:
    if not can_withdraw_content(by, item):
        raise NotAllowed("Only the author's organisation or policy staff withdraw this item.")
    item = _lock(item)
    _require(
        item,
        {ContentStatus.DRAFT, ContentStatus.IN_REVIEW, ContentStatus.CHANGES_REQUESTED, ContentStatus.APPROVED},
        "withdrawn",
    )
    old, item.status = item.status, ContentStatus.WITHDRAWN
    item.save(update_fields=["status", "updated_at"])
    _record(item, by=by, action="withdrawn", old=old, comment=comment.strip(), request=request)
    return item


def content_item_notify_reviewed(*, event: ContentItemEvent) -> None:
    """Tell the author (or, without one, the author's organisation) about a review."""
    from portal.notifications import notify_users

    item = event.item
    if item.author is not None and item.author.is_active:
        recipients = [item.author]
    else:
        recipients = [m.user for m in item.organisation.memberships.select_related("user")]
    template = "campaign_content_approved" if event.action == "approved" else "campaign_content_changes"
    notify_users(
        recipients,
        template,
        {"item": item, "campaign": item.campaign, "event": event},
        link=f"/campaigns/{item.campaign.slug}/content/{item.pk}/",
    )


# --- Metrics ----------------------------------------------------------------------------------

METRIC_COUNTS = ("impressions", "engagements", "shares", "clicks")


def _metric_errors(campaign: Campaign, values: dict, items: dict) -> dict[str, str]:
    """Domain checks of one report: counts, its period inside the campaign, its content item."""
    errors: dict[str, str] = {}
    for name in METRIC_COUNTS:
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = "Must be a whole number, zero or more."
    start, end = values.get("period_start"), values.get("period_end")
    if start and end:
        if end < start:
            errors["period_end"] = "The period must not end before it starts."
        if start < campaign.start_date or start > campaign.end_date:
            errors["period_start"] = f"Must be within the campaign ({campaign.start_date} to {campaign.end_date})."
        if end > campaign.end_date or end < campaign.start_date:
            errors["period_end"] = f"Must be within the campaign ({campaign.start_date} to {campaign.end_date})."
    item_id = values.get("content_item")
    if item_id is not None and item_id not in items:
        errors["content_item"] = "No such content item in this campaign."
    return errors


def _reportable_items(by, campaign: Campaign) -> dict:
    from campaigns.selectors import content_items_visible_to

    return {i.pk: i for i in content_items_visible_to(by, campaign=campaign)}


def _check_can_report(by, campaign: Campaign) -> None:
    if not can_report_metrics(by, campaign):
        raise NotAllowed("Only policy staff and the campaign's partners report metrics.")
    if campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError("An archived campaign takes no new metrics.")


@transaction.atomic
def metric_report_create(
    *,
    by,
    campaign: Campaign,
    period_start: dt.date,
    period_end: dt.date,
    impressions: int,
    engagements: int,
    shares: int,
    clicks: int,
    content_item=None,
    request=None,
) -> MetricReport:
    _check_can_report(by, campaign)
    item_id = getattr(content_item, "pk", content_item)
    values = dict(
        period_start=period_start,
        period_end=period_end,
        impressions=impressions,
        engagements=engagements,
        shares=shares,
        clicks=clicks,
        content_item=item_id,
    )
    items = _reportable_items(by, campaign) if item_id is not None else {}
    errors = _metric_errors(campaign, values, items)
    if errors:
        field, message = next(iter(errors.items()))
        raise DomainError(message, field=field)
    values["content_item"] = items.get(item_id)
    report = MetricReport.objects.create(campaign=campaign, submitted_by=by, organisation=organisation_of(by), **values)
    audit("campaign.metrics", actor=by, obj=campaign, request=request, reports=1)
    return report


class MetricImportError(DomainError):
    """A CSV that can't be imported: `rows` lists (line, {field: message}) for each bad row."""

    def __init__(self, message: str, rows: list[tuple[int, dict]] | None = None):
        super().__init__(message, field="file")
        self.rows = rows or []


@transaction.atomic
def metric_reports_import_csv(*, by, campaign: Campaign, raw: bytes, request=None) -> list[MetricReport]:
    """All or nothing: every row is checked first, and any bad row stores none of them."""
    _check_can_report(by, campaign)
    try:
        parsed = metrics_csv.parse(metrics_csv.decode(raw))
    except metrics_csv.CsvFormatError as exc:
        raise MetricImportError(str(exc)) from exc
    items = _reportable_items(by, campaign)
    bad = []
    for line, values, errors in parsed:
        if not errors:
            errors = _metric_errors(campaign, values, items)
        if errors:
            bad.append((line, errors))
    if bad:
        raise MetricImportError(f"{len(bad)} of {len(parsed)} rows have errors; nothing was imported.", bad)
    organisation = organisation_of(by)
    reports = MetricReport.objects.bulk_create(
        [
            MetricReport(
                campaign=campaign,
                submitted_by=by,
                organisation=organisation,
                **{**values, "content_item": items.get(values["content_item"])},
            )
            for _, values, _ in parsed
        ]
    )
    audit("campaign.metrics_import", actor=by, obj=campaign, request=request, reports=len(reports))
    return reports
