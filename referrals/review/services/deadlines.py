"""The deadline watch (SPEC §4.4): undecided referrals past `due_at` are marked breached once.

Run every minute by beat. A conditional update marks each row, so two watches running at
once (or one retried) never write a second timeline entry or alert.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from partners.models import Role
from portal.audit import audit_entry, audit_many
from portal.notifications import notify_users
from referrals.models import Referral, Status
from referrals.services.timeline import timeline_add_many, timeline_event
from referrals.timeline_text import TimelineText

logger = logging.getLogger(__name__)

# A paused clock (`needs_info`) cannot breach; decided and closed referrals are done. A legal
# clock starts at receipt, so a referral still waiting for routing can breach too.
RUNNING = (Status.RECEIVED, Status.ROUTED, Status.IN_REVIEW)
WATCH_BATCH = 500


def queue_leads():
    return get_user_model().objects.filter(membership__role=Role.QUEUE_LEAD, is_active=True).order_by("pk")


def referrals_mark_breached(*, now: datetime | None = None) -> list[Referral]:
    """Mark every running referral past its deadline as breached; alert the leads once per run."""
    now = now or timezone.now()
    candidates = list(
        Referral.objects.filter(status__in=RUNNING, breached=False, due_at__lt=now, paused_at__isnull=True)
        .select_related("queue", "organisation")
        .order_by("due_at")[:WATCH_BATCH]
    )
    marked: list[Referral] = []
    with transaction.atomic():
        for referral in candidates:
            updated = Referral.objects.filter(
                pk=referral.pk, status__in=RUNNING, breached=False, paused_at__isnull=True, due_at__lt=now
            ).update(breached=True)
            if updated == 1:
                referral.breached = True
                marked.append(referral)
        if not marked:
            return []
        timeline_add_many(
            timeline_event(
                r,
                "breached",
                message=TimelineText(gettext_noop("The deadline for a decision has passed.")),
                at=now,
                due_at=r.due_at.isoformat(),
            )
            for r in marked
        )
        audit_many(
            audit_entry(
                "referral.breach",
                obj=r,
                organisation=r.organisation,
                queue=r.queue.slug if r.queue else None,
                due_at=r.due_at.isoformat(),
            )
            for r in marked
        )
        link = (
            f"/queues/{marked[0].queue.slug}/"
            if len({r.queue_id for r in marked}) == 1 and marked[0].queue
            else "/queues/"
        )
        notify_users(
            list(queue_leads()),
            "deadline_breached",
            {"referrals": marked, "count": len(marked), "now": now},
            link=link,
        )
    logger.warning("Marked %d referrals as past their deadline", len(marked))
    return marked
