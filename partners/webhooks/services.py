"""Changes to webhooks and their deliveries (SPEC §19)."""

import json
import secrets

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Organisation, Webhook, WebhookDelivery, WebhookEvent
from partners.webhooks.addresses import UnsafeURL, check
from partners.webhooks.delivery import SEND_TASK
from partners.webhooks.permissions import can_manage_webhooks
from portal.audit import audit
from portal.errors import DomainError, NotAllowed
from portal.queueing import enqueue_on_commit

MAX_WEBHOOKS = 10


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# --- Events -----------------------------------------------------------------------------------


@transaction.atomic
def webhook_event_emit(*, organisation_id: int, type: str, data: dict, now=None) -> int:
    """Queue one delivery of event `type` to each active webhook of the organisation that
    subscribed to it; each is sent after commit. Return the number of deliveries.

    `data` is what the organisation may read through the API (the caller builds it with the
    partner-facing serializers). Each delivery's id is the event id receivers deduplicate by.
    """
    if type not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event type {type!r}")
    now = now or timezone.now()
    webhooks = [
        w
        for w in Webhook.objects.filter(organisation_id=organisation_id, active=True).only("id", "events")
        if type in w.events
    ]
    if not webhooks:
        return 0
    # Plain JSON once (dates, UUIDs, decimals as strings), so the stored payload is the body sent.
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    deliveries = []
    for webhook in webhooks:
        delivery = WebhookDelivery(webhook_id=webhook.id, type=type, created_at=now, next_attempt_at=now)
        delivery.payload = {"id": str(delivery.id), "type": type, "created_at": now.isoformat(), "data": data}
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        enqueue_on_commit(SEND_TASK, str(delivery.id))
    return len(deliveries)


# --- Webhooks ---------------------------------------------------------------------------------


def _managed_organisation(by) -> Organisation:
    if not can_manage_webhooks(by):
        raise NotAllowed(_("Only an NGO's admins and an agency's liaisons manage its webhooks."))
    return by.membership.organisation


def _check_owner(by, webhook: Webhook) -> None:
    if not can_manage_webhooks(by) or by.membership.organisation_id != webhook.organisation_id:
        raise NotAllowed(_("Only an NGO's admins and an agency's liaisons manage its webhooks."))


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise DomainError(_("Enter the URL to send events to."), field="url")
    if len(url) > Webhook._meta.get_field("url").max_length:
        raise DomainError(_("The URL is too long."), field="url")
    try:
        check(url)
    except UnsafeURL as exc:
        raise DomainError(str(exc.message), field="url") from None
    return url


def clean_events(events) -> list[str]:
    """The chosen event types in their canonical order; at least one, all known."""
    if not isinstance(events, list | tuple) or not events:
        raise DomainError(_("Choose at least one event."), field="events")
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        raise DomainError(
            _("Unknown event: %(event)s.") % {"event": ", ".join(str(e)[:40] for e in unknown[:3])}, field="events"
        )
    return [e for e in WebhookEvent.values if e in events]


@transaction.atomic
def webhook_create(*, by, url: str, events, request=None) -> tuple[Webhook, str]:
    """Add a webhook to `by`'s organisation; return it and its signing secret (shown once)."""
    organisation = _managed_organisation(by)
    url, events = clean_url(url), clean_events(events)
    # Locked, so two requests at once cannot both take the last place.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if Webhook.objects.filter(organisation=organisation).count() >= MAX_WEBHOOKS:
        raise DomainError(
            _("An organisation has at most %(count)d webhooks; delete one first.") % {"count": MAX_WEBHOOKS}
        )
    secret = _new_secret()
    webhook = Webhook.objects.create(organisation=organisation, url=url, events=events, secret=secret, created_by=by)
    audit("webhook.create", actor=by, obj=webhook, organisation=organisation, request=request, url=url, events=events)
    return webhook, secret


@transaction.atomic
def webhook_update(*, by, webhook: Webhook, events=None, active: bool | None = None, request=None) -> Webhook:
    """Change a webhook's events or switch it on or off."""
    _check_owner(by, webhook)
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    changes = {}
    if events is not None:
        events = clean_events(events)
        if events != webhook.events:
            changes["events"] = events
    if active is not None and bool(active) != webhook.active:
        changes["active"] = bool(active)
    if changes:
        for field, value in changes.items():
            setattr(webhook, field, value)
        webhook.save(update_fields=list(changes))
        audit("webhook.update", actor=by, obj=webhook, organisation=webhook.organisation, request=request, **changes)
    return webhook


@transaction.atomic
def webhook_delete(*, by, webhook: Webhook, request=None) -> None:
    """Delete a webhook and its delivery log; nothing more is sent to it."""
    _check_owner(by, webhook)
    organisation = webhook.organisation
    audit("webhook.delete", actor=by, obj=webhook, organisation=organisation, request=request, url=webhook.url)
    Webhook.objects.filter(pk=webhook.pk).delete()


@transaction.atomic
def webhook_rotate_secret(*, by, webhook: Webhook, request=None, now=None) -> str:
    """Give the webhook a new signing secret; return it (shown once). Deliveries from now on
    are signed with it, retries of older ones included."""
    _check_owner(by, webhook)
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    secret = _new_secret()
    webhook.secret = secret
    webhook.secret_rotated_at = now or timezone.now()
    webhook.save(update_fields=["secret", "secret_rotated_at"])
    audit("webhook.rotate_secret", actor=by, obj=webhook, organisation=webhook.organisation, request=request)
    return secret


# --- Deliveries -------------------------------------------------------------------------------


@transaction.atomic
def webhook_delivery_redeliver(*, by, delivery: WebhookDelivery, request=None, now=None) -> WebhookDelivery:
    """Send a delivery again, now, with the same id (receivers drop a repeat by it). Its tries
    are kept: one that had run out of tries gets one more."""
    _check_owner(by, delivery.webhook)
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    fields = {"next_attempt_at": now}
    if delivery.state != WebhookDelivery.State.PENDING:
        # A pending one may be in flight: its lease stays, so it is not sent twice at once.
        fields.update(state=WebhookDelivery.State.PENDING, leased_until=None, delivered_at=None)
    for field, value in fields.items():
        setattr(delivery, field, value)
    delivery.save(update_fields=list(fields))
    audit(
        "webhook.redeliver",
        actor=by,
        obj=delivery.webhook,
        organisation=delivery.webhook.organisation,
        request=request,
        delivery=str(delivery.pk),
        type=delivery.type,
    )
    enqueue_on_commit(SEND_TASK, str(delivery.pk))
    return delivery
