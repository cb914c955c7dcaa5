"""Bulletins of an incident (SPEC §18): what partners should report during it, and how.

`bulletin_post` stores one and tells every active member of every verified partner
organisation (an NGO or an agency with `verified` set; never the platform, never an
organisation still unverified) in-app and by e-mail, each in their own language and time
zone. However many partners there are, it costs a fixed number of queries: one read of the
recipients, the bulletin, one bulk insert of the notifications (`notify_users` renders once
per language and time zone, and enqueues one e-mail task per such group after commit), the
audit entry, and one read of the partners' webhooks listening for bulletins (SPEC §19; then one
event for each organisation found).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.roles import OrganisationKind
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.notifications import notify_users
from portal.text import free_text_clean
from referrals.crisis.permissions import can_declare_incidents
from referrals.models import Bulletin, Incident, IncidentStatus
from referrals.services.webhooks import webhook_bulletin_posted

BODY_MIN, BODY_MAX = 20, 5000
PARTNER_KINDS = (OrganisationKind.NGO, OrganisationKind.LAW_ENFORCEMENT)
TEMPLATE = "bulletin"


def incident_path(incident: Incident) -> str:
    return f"/incidents/{incident.slug}/"


def bulletin_body_clean(value) -> str:
    """The body as it is kept: format characters stripped, trimmed, 20 to 5,000 characters."""
    body = free_text_clean(
        value,
        field="body",
        limit=BODY_MAX,
        empty=_("Write the bulletin."),
        too_long=_("Keep it to %(max)s characters (this one has %(count)s)."),
    )
    if len(body) < BODY_MIN:
        raise DomainError(
            _("Write at least %(min)s characters (this one has %(count)s).") % {"min": BODY_MIN, "count": len(body)},
            field="body",
        )
    return body


def bulletin_recipients():
    """Every active member of every verified partner organisation: the people a bulletin
    reaches, with only what rendering and sending need."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            membership__organisation__verified=True,
            membership__organisation__kind__in=PARTNER_KINDS,
        )
        .only("pk", "email", "language", "time_zone", "is_active", "email_preferences")
        .order_by("pk")
    )


@transaction.atomic
def bulletin_post(*, by, incident: Incident, body: str, request=None) -> Bulletin:
    """Post a bulletin on an active incident (policy staff and queue leads) and send it to
    every verified partner's members. Callers fetch `incident` through `incidents_visible_to`
    first (outside it: 404). Raises NotAllowed (403), TransitionError (409, the incident is
    closed) or DomainError on `body` (400); a refusal stores and sends nothing."""
    if not can_declare_incidents(by):
        raise NotAllowed(_("Only policy staff and queue leads post bulletins."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.ACTIVE:
        raise TransitionError(_("This incident is closed: it takes no more bulletins."))
    body = bulletin_body_clean(body)
    recipients = list(bulletin_recipients())
    bulletin = Bulletin.objects.create(
        incident=incident, body=body, posted_by=by, posted_at=timezone.now(), recipients=len(recipients)
    )
    path = incident_path(incident)
    notify_users(
        recipients,
        TEMPLATE,
        {"incident": incident, "title": incident.title, "body": body, "path": path},
        link=path,
    )
    audit(
        "incident.bulletin",
        actor=by,
        obj=incident,
        request=request,
        incident=incident.slug,
        bulletin=bulletin.pk,
        recipients=bulletin.recipients,
    )
    # Partners' own systems too (SPEC §19): one query finds those listening, one event each.
    webhook_bulletin_posted(bulletin=bulletin)
    return bulletin


__all__ = ["BODY_MAX", "BODY_MIN", "bulletin_body_clean", "bulletin_post", "bulletin_recipients", "incident_path"]
