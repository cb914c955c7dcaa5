"""Webhook events from what happens to partners' referrals (SPEC §19).

Each `webhook_<event>` is called by the service that made the change, inside its transaction,
after the change; `partners.webhooks.services.webhook_event_emit` stores one delivery per
subscribed webhook and enqueues the sending on commit, so a rolled-back change sends nothing.

What is sent is what the organisation reads through the API: the payload is built by the
partner-facing serializers (a referral as its submitter reads it, never platform fields nor a
reviewer's identity). Those live in the API modules, above the services, so they register
their builders here (`webhook_payload`, by `referrals.api.webhooks` when the app is ready)
instead of being imported.

Cost: an organisation with no webhook for the event pays one query (its active webhooks'
event lists) and nothing is serialised; signals (the platform's own, SPEC §14) pay none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from partners.models import Webhook, WebhookEvent
from partners.webhooks.services import webhook_event_emit
from portal.accounts.roles import OrganisationKind
from referrals.models import Appeal, Bulletin, Kind, Message, Production, Referral

# Who hears of a bulletin: the partners it is sent to (referrals.crisis.services.bulletins).
PARTNER_KINDS = (OrganisationKind.NGO, OrganisationKind.LAW_ENFORCEMENT)

# name → builder of `data`, filled by the API layer (see the module's docstring).
_PAYLOADS: dict[str, Callable[..., dict]] = {}


def webhook_payload(name: str):
    """Register the builder of the payload `name` ("referral", "message", "appeal",
    "production", "bulletin"): a function of the object that returns the event's `data`."""

    def register(builder: Callable[..., dict]) -> Callable[..., dict]:
        _PAYLOADS[name] = builder
        return builder

    return register


def _payload(name: str, obj) -> dict:
    return _PAYLOADS[name](obj)


def webhooks_listening(*, organisation_id: int, type: str) -> bool:
    """True when an active webhook of the organisation subscribed to `type`. One query."""
    events = (
        Webhook.objects.filter(organisation_id=organisation_id, active=True).order_by().values_list("events", flat=True)
    )
    return any(type in subscribed for subscribed in events)


def _emit(*, organisation_id: int, type: str, payload: str, obj) -> int:
    if not webhooks_listening(organisation_id=organisation_id, type=type):
        return 0
    return webhook_event_emit(organisation_id=organisation_id, type=type, data=_payload(payload, obj))


def _has_submitter(referral: Referral) -> bool:
    return referral.kind != Kind.SIGNAL


# --- Referrals -------------------------------------------------------------------------------


def webhook_referral_status_changed(*, referral: Referral) -> int:
    """`referral.status_changed` to the submitting organisation, with the referral as it reads
    it. Sent where the submitter is told of the new status (referral_notify_status), so the
    platform's own steps it is not told of (routing) send nothing either. Returns the number
    of deliveries."""
    if not _has_submitter(referral):
        return 0
    return _emit(
        organisation_id=referral.organisation_id,
        type=WebhookEvent.REFERRAL_STATUS_CHANGED,
        payload="referral",
        obj=referral,
    )


def webhook_referral_decided(*, referral: Referral) -> int:
    """`referral.decided` to the submitting organisation: the referral with its own decision
    (a referral closed by a decision on another organisation's referral carries the neutral
    statement written for it, never the other referral's reasons)."""
    if not _has_submitter(referral):
        return 0
    return _emit(
        organisation_id=referral.organisation_id,
        type=WebhookEvent.REFERRAL_DECIDED,
        payload="referral",
        obj=referral,
    )


def webhook_message_created(*, message: Message, referral: Referral) -> int:
    """`message.created` to the submitting organisation, for either side's message: its own
    system keeps the whole exchange. The platform's side is "platform", never an author."""
    if not _has_submitter(referral):
        return 0
    message.referral = referral
    return _emit(
        organisation_id=referral.organisation_id,
        type=WebhookEvent.MESSAGE_CREATED,
        payload="message",
        obj=message,
    )


# --- Appeals, productions, bulletins -----------------------------------------------------------


def webhook_appeal_decided(*, appeal: Appeal, referral: Referral) -> int:
    """`appeal.decided` to the appellant organisation, as the appeals API shows it. A
    complaint is the account holder's: it never reaches a partner."""
    if appeal.is_complaint or not _has_submitter(referral):
        return 0
    return _emit(
        organisation_id=referral.organisation_id,
        type=WebhookEvent.APPEAL_DECIDED,
        payload="appeal",
        obj=appeal,
    )


def webhook_production_ready(*, production: Production, referral: Referral) -> int:
    """`production.ready` to the agency whose request it answers."""
    production.referral = referral
    return _emit(
        organisation_id=referral.organisation_id,
        type=WebhookEvent.PRODUCTION_READY,
        payload="production",
        obj=production,
    )


def _organisations_listening(type: str) -> list[int]:
    """The verified partner organisations with an active webhook subscribed to `type`. One query."""
    rows = (
        Webhook.objects.filter(active=True, organisation__verified=True, organisation__kind__in=PARTNER_KINDS)
        .order_by()
        .values_list("organisation_id", "events")
    )
    return sorted({organisation_id for organisation_id, events in rows if type in events})


def webhook_bulletin_posted(*, bulletin: Bulletin) -> int:
    """`incident.bulletin` to every verified partner organisation that listens for it: one
    query to find them, the payload built once, then one event per organisation."""
    organisations: Iterable[int] = _organisations_listening(WebhookEvent.INCIDENT_BULLETIN)
    if not organisations:
        return 0
    data = _payload("bulletin", bulletin)
    return sum(
        webhook_event_emit(organisation_id=organisation_id, type=WebhookEvent.INCIDENT_BULLETIN, data=data)
        for organisation_id in organisations
    )
