"""Paging (SPEC §17): an emergency request or a removal order gets people at once.

When routing puts one in its queue, every member of that queue and every queue lead is told
in-app and by e-mail, and until someone claims it they see a banner on every page
(`referrals.law_enforcement.selectors.paged_waiting_for`). If nobody has claimed it 10
minutes (emergency request) or 20 (removal order) after the page, beat tells the leads again.

Both alerts are claimed with a conditional update (`paged_at`, then `repaged_at`, set only
where still empty), so routing delivered twice pages once and overlapping beat runs alert
the leads a second time once. Paging is the platform's own business: its timeline entries
are platform-only and the submitter is not told.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from partners.models import Role
from portal.accounts.roles import PLATFORM_ROLES
from portal.audit import audit
from portal.notifications import notify_users
from referrals.law_enforcement.selectors import PAGED_KINDS, WAITING_STATUSES, paged_unclaimed
from referrals.models import Kind, Queue, Referral, Status
from referrals.review.services.deadlines import queue_leads
from referrals.selectors import PLATFORM_ONLY
from referrals.services.timeline import timeline_add
from referrals.timeline_text import TimelineText, ngettext_noop

logger = logging.getLogger(__name__)

# How long a paged referral may wait unclaimed before the leads are alerted again.
REPAGE_AFTER = {Kind.EMERGENCY_REQUEST: timedelta(minutes=10), Kind.REMOVAL_ORDER: timedelta(minutes=20)}
REPAGE_BATCH = 200


def page_recipients(queue: Queue | None):
    """Active platform staff who are members of `queue`, and every active queue lead."""
    reached = Q(membership__role=Role.QUEUE_LEAD)
    if queue is not None:
        reached |= Q(queues=queue)
    return (
        get_user_model()
        .objects.filter(reached, is_active=True, membership__role__in=PLATFORM_ROLES)
        .distinct()
        .order_by("pk")
    )


def _minutes_left(referral: Referral, now: datetime) -> int | None:
    if referral.due_at is None:
        return None
    return max(0, math.ceil((referral.due_at - now).total_seconds() / 60))


def _context(referral: Referral, now: datetime) -> dict:
    path = f"/referrals/{referral.reference}/"
    return {
        "reference": referral.reference,
        "kind": Kind(referral.kind).label,  # lazy: rendered in each recipient's language
        "queue": referral.queue.name if referral.queue else "",
        "due_at": referral.due_at,
        "minutes_left": _minutes_left(referral, now),
        "paused": referral.paused_at is not None,
        "path": path,
    }


@transaction.atomic
def referral_page(*, referral: Referral, now: datetime | None = None) -> bool:
    """Alert `referral`'s queue and the queue leads that it has arrived; True if this call paged.

    Only a routed, unclaimed emergency request or removal order is paged, and only once:
    `paged_at` is set where still empty, and a call that finds it set does nothing.
    """
    if referral.kind not in PAGED_KINDS:
        return False
    now = now or timezone.now()
    claimed = Referral.objects.filter(
        pk=referral.pk, kind__in=PAGED_KINDS, status=Status.ROUTED, assignee__isnull=True, paged_at__isnull=True
    ).update(paged_at=now)
    if claimed != 1:
        return False
    referral.paged_at = now
    recipients = list(page_recipients(referral.queue))
    timeline_add(
        referral,
        "paged",
        message=TimelineText(gettext_noop("The platform's reviewers on call were alerted.")),
        platform_message=TimelineText.counted(
            ngettext_noop(
                "Paged: %(count)d member of the queue or queue lead was alerted.",
                "Paged: %(count)d members of the queue and queue leads were alerted.",
            ),
            len(recipients),
        ),
        queue=referral.queue.slug if referral.queue else None,
        recipients=len(recipients),
        **{PLATFORM_ONLY: True},
    )
    audit(
        "referral.page",
        obj=referral,
        organisation=referral.organisation,
        queue=referral.queue.slug if referral.queue else None,
        recipients=[user.pk for user in recipients],
    )
    context = _context(referral, now)
    notify_users(recipients, "page", context, link=context["path"])
    logger.info("Paged %d people for %s (%s)", len(recipients), referral.reference, referral.kind)
    return True


def referrals_page(*, referrals: Iterable[Referral], now: datetime | None = None) -> int:
    """Page each of `referrals` that is to be paged (see `referral_page`); return how many were.

    Routing calls it for the referrals it has just routed, in its own transaction."""
    now = now or timezone.now()
    return sum(referral_page(referral=referral, now=now) for referral in referrals if referral.kind in PAGED_KINDS)


def referrals_repage_unclaimed(*, now: datetime | None = None) -> int:
    """Alert the queue leads again, once, about each paged referral still unclaimed
    `REPAGE_AFTER` its page; return how many referrals they were alerted about."""
    now = now or timezone.now()
    overdue = Q()
    for kind, after in REPAGE_AFTER.items():
        overdue |= Q(kind=kind, paged_at__lte=now - after)
    candidates = list(
        paged_unclaimed()
        .filter(overdue, repaged_at__isnull=True)
        .select_related("queue", "organisation")
        .order_by("paged_at", "seq")[:REPAGE_BATCH]
    )
    if not candidates:
        return 0
    alerted = 0
    with transaction.atomic():
        leads = None
        for referral in candidates:
            claimed = Referral.objects.filter(
                pk=referral.pk,
                repaged_at__isnull=True,
                assignee__isnull=True,
                status__in=WAITING_STATUSES,
            ).update(repaged_at=now)
            if claimed != 1:
                continue  # claimed by a reviewer, or alerted by another run, meanwhile
            referral.repaged_at = now
            if leads is None:
                leads = list(queue_leads())
            waited = math.floor((now - referral.paged_at).total_seconds() / 60)
            timeline_add(
                referral,
                "repaged",
                message=TimelineText(gettext_noop("The platform's queue leads were alerted again.")),
                platform_message=TimelineText(
                    gettext_noop(
                        "Still unclaimed %(minutes)s minutes after the page: the queue leads were alerted again."
                    ),
                    {"minutes": waited},
                ),
                recipients=len(leads),
                **{PLATFORM_ONLY: True},
            )
            audit(
                "referral.page_again",
                obj=referral,
                organisation=referral.organisation,
                queue=referral.queue.slug if referral.queue else None,
                recipients=[user.pk for user in leads],
                minutes_since_page=waited,
            )
            context = {**_context(referral, now), "waited": waited}
            notify_users(leads, "page_again", context, link=context["path"])
            alerted += 1
    if alerted:
        logger.warning("Alerted the queue leads again about %d unclaimed paged referrals", alerted)
    return alerted
