"""The payloads of partners' webhook events (SPEC §19), built by the same partner-facing
serializers as the API: what the organisation may read there, never platform fields nor a
reviewer's identity. Registered with referrals.services.webhooks when the app is ready (the
services sit below the API and may not import it)."""

from __future__ import annotations

from referrals.crisis.api.incidents import IncidentBulletinPublicSerializer
from referrals.intake.api.serializers import MessageSerializer, ReferralSerializer
from referrals.law_enforcement.api.productions import ProductionSerializer
from referrals.models import Appeal, Bulletin, Message, Production, Referral
from referrals.redress.serializers import AppealSerializer
from referrals.selectors import referrals_as_submitters_read
from referrals.services.webhooks import webhook_payload

# A partner's view: `platform` is never set, so the serializers drop their platform-only fields.
PARTNER = {"platform": False}


@webhook_payload("referral")
def referral_payload(referral: Referral) -> dict:
    """The referral as its submitter reads it (`GET /api/v1/referrals/{id}/`), read again so
    that it carries its decision, targets, evidence and appeal as they are now."""
    referral = referrals_as_submitters_read().get(pk=referral.pk)
    return ReferralSerializer(referral, context=PARTNER).data


@webhook_payload("message")
def message_payload(message: Message) -> dict:
    """`{referral, reference, at, from, body}`: the message as the submitter's messages list
    shows it (the platform's side is "platform", never who wrote it)."""
    referral = message.referral
    shown = MessageSerializer({"at": message.at, "from": message.side, "body": message.body}).data
    return {"referral": str(referral.id), "reference": referral.reference, **shown}


@webhook_payload("appeal")
def appeal_payload(appeal: Appeal) -> dict:
    """The appeal as its appellant organisation reads it (`{id, status, referral, outcome,
    statement, decided_at, …}`): nobody who filed, recorded or decided it."""
    return AppealSerializer(appeal, context=PARTNER).data


@webhook_payload("production")
def production_payload(production: Production) -> dict:
    """`{referral, id, name, size, sha256, available_until}`."""
    return {"referral": str(production.referral.id), **ProductionSerializer(production).data}


@webhook_payload("bulletin")
def bulletin_payload(bulletin: Bulletin) -> dict:
    """`{incident, title, body, posted_at}`: the incident's slug and title, and the bulletin as
    partners read it on the incident (never how many it reached)."""
    incident = bulletin.incident
    return {"incident": incident.slug, "title": incident.title, **IncidentBulletinPublicSerializer(bulletin).data}
