"""Content items and their approval workflow: draft, review, approval, publication."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    Campaign,
    CampaignStatus,
    ContentItem,
    ContentItemEvent,
    ContentStatus,
)
from campaigns.permissions import (
    can_review_content,
    can_withdraw_content,
    can_write_content,
    is_author_side,
)
from campaigns.validation import clean_published_url
from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.queueing import enqueue_on_commit

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
            raise DomainError(_("Required."), field=name)


@transaction.atomic
def content_item_create(*, by, campaign: Campaign, request=None, **fields) -> ContentItem:
    if not can_write_content(by, campaign):
        raise NotAllowed(_("Only members of the campaign's partner organisations write content."))
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    _check_content_fields({n: fields.get(n, "") for n in ("title", "body", "channel", "language")})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise TransitionError(_("A completed or archived campaign takes no new content."))
    item = ContentItem.objects.create(campaign=campaign, author=by, organisation=organisation_of(by), **fields)
    _record(item, by=by, action="created", old="", request=request)
    return item


def _lock(item: ContentItem) -> ContentItem:
    return ContentItem.objects.select_for_update().select_related("campaign", "organisation").get(pk=item.pk)


def _require(item: ContentItem, allowed: set[str], verb: str) -> None:
    if item.status not in allowed:
        refusals = {
            "edited": _("An item that is %(status)s can't be edited."),
            "submitted": _("An item that is %(status)s can't be submitted."),
            "reviewed": _("An item that is %(status)s can't be reviewed."),
            "published": _("An item that is %(status)s can't be published."),
            "withdrawn": _("An item that is %(status)s can't be withdrawn."),
        }
        raise TransitionError(refusals[verb] % {"status": item.get_status_display().lower()})
    if item.campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError(_("The campaign is archived."))


@transaction.atomic
def content_item_update(*, by, item: ContentItem, request=None, **fields) -> ContentItem:
    if not is_author_side(by, item):
        raise NotAllowed(_("Only the author's organisation edits this item."))
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
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
        raise NotAllowed(_("Only the author's organisation submits this item."))
    item = _lock(item)
    _require(item, {ContentStatus.DRAFT, ContentStatus.CHANGES_REQUESTED}, "submitted")
    old, item.status = item.status, ContentStatus.IN_REVIEW
    item.save(update_fields=["status", "updated_at"])
    _record(item, by=by, action="submitted", old=old, comment=comment, request=request)
    return item


def _review(*, by, item: ContentItem, status: str, action: str, comment: str, request) -> ContentItem:

    if not can_review_content(by, item):
        raise NotAllowed(_("Only policy staff or the lead partner review content (not their own)."))
    item = _lock(item)
    _require(item, {ContentStatus.IN_REVIEW}, "reviewed")
    old, item.status = item.status, status
    item.save(update_fields=["status", "updated_at"])
    event = _record(item, by=by, action=action, old=old, comment=comment, request=request)
    enqueue_on_commit("campaigns.tasks.notify_content_reviewed", event.pk)
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
        raise DomainError(_("Say what needs to change."), field="comment")
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
        raise NotAllowed(_("Only the author's organisation marks this item published."))
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
        raise NotAllowed(_("Only the author's organisation or policy staff withdraw this item."))
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


__all__ = [
    "CONTENT_FIELDS",
    "content_item_approve",
    "content_item_create",
    "content_item_notify_reviewed",
    "content_item_publish",
    "content_item_request_changes",
    "content_item_submit",
    "content_item_update",
    "content_item_withdraw",
]
