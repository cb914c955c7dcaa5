"""Escalation (SPEC §15): the assignee hands a hard case up to the queue leads.

The referral moves to the leads' own queue `escalations` (made on first use), keeps its
`due_at`, loses its assignee, and every queue lead is told in-app and by e-mail. Like team
notes it is internal to the platform: the timeline entry is `platform_only` (the submitter's
timeline, page and API, never shows it), the submitter is not told, and the reason is read
only on the referral page by platform roles (not in the e-mail, not in the audit entry).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.audit import audit
from portal.errors import NotAllowed, TransitionError
from portal.notifications import notify_users
from portal.text import free_text_clean
from referrals.models import Queue, Referral, Status
from referrals.review.permissions import ESCALATIONS_QUEUE, can_escalate
from referrals.review.services.claims import WORKABLE, locked
from referrals.review.services.deadlines import queue_leads
from referrals.selectors import PLATFORM_ONLY
from referrals.services.timeline import timeline_add
from referrals.timeline_text import TimelineText

REASON_MAX = 2000
ESCALATIONS_NAME = "Escalations"
ESCALATIONS_SLA_MINUTES = 240


def escalations_queue() -> Queue:
    """The leads' queue, made on first use with every active queue lead as a member."""
    queue, created = Queue.objects.get_or_create(
        slug=ESCALATIONS_QUEUE,
        defaults={
            "name": ESCALATIONS_NAME,
            "description": "Hard cases reviewers hand up to the queue leads.",
            "sla_minutes": ESCALATIONS_SLA_MINUTES,
        },
    )
    if created:
        queue.members.set(queue_leads())
    return queue


def _reason_clean(reason: str) -> str:
    return free_text_clean(
        reason,
        field="reason",
        limit=REASON_MAX,
        empty=_("Say why the queue leads should take this referral."),
        too_long=_("Keep the reason to %(max)s characters (this one has %(count)s)."),
    )


@transaction.atomic
def referral_escalate(*, by, referral: Referral, reason: str, request=None) -> Referral:
    """Move `referral` from its assignee `by` to the leads' `escalations` queue, unassigned.

    NotAllowed (403) for anyone but the assignee; TransitionError (409) on a closed referral
    or one already in the escalations queue; DomainError (400, `reason`) for a missing reason.
    A referral waiting for the submitter (`needs_info`) stays so, its clock paused.
    """
    referral = locked(referral)
    if not can_escalate(by, referral):
        raise NotAllowed(_("Only the reviewer assigned to this referral may escalate it."))
    if referral.status not in WORKABLE:
        raise TransitionError(_("Only an open referral can be escalated."))
    if referral.queue is not None and referral.queue.slug == ESCALATIONS_QUEUE:
        raise TransitionError(_("This referral is already with the queue leads."))
    reason = _reason_clean(reason)
    queue = escalations_queue()
    was = {"queue": referral.queue.slug if referral.queue else None, "assignee": referral.assignee_id}
    referral.queue, referral.assignee = queue, None
    if referral.status != Status.NEEDS_INFO:
        referral.status = Status.ROUTED
    referral.save(update_fields=["queue", "assignee", "status", "updated_at"])
    timeline_add(
        referral,
        "escalated",
        actor=by,
        message=TimelineText(gettext_noop("Escalated within the platform team.")),
        platform_message=TimelineText(gettext_noop("Escalated to the queue leads: %(reason)s"), {"reason": reason}),
        from_queue=was["queue"],
        **{PLATFORM_ONLY: True},
    )
    audit(
        "referral.escalate",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        was=was,
        queue=queue.slug,
        reason_length=len(reason),
    )
    path = f"/referrals/{referral.reference}/"
    context = {
        "reference": referral.reference,
        "by": by.display_name,
        "due_at": referral.due_at,
        "paused": referral.paused_at is not None,
        "path": path,
    }
    notify_users(list(queue_leads().exclude(pk=by.pk)), "referral_escalated", context, link=path)
    return referral
