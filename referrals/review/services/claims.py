"""The reviewer's hold on a referral (SPEC §4.6): claim, release, request information, reassign.

Callers fetch the referral through a scoping selector first (outside scope → 404); these
functions then check that the person may act (NotAllowed → 403) and that the referral is in
a state that allows it (TransitionError → 409). Each locks the row, writes the timeline and
the audit log, and tells the submitter through referral_notify_status.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.text import strip_format_characters
from referrals.choices import MessageSide
from referrals.models import (
    Kind,
    Queue,
    Referral,
    Status,
)
from referrals.review.permissions import can_act_on, can_assign_to, can_reassign, can_work_queue
from referrals.services.messages import message_add
from referrals.services.notify import referral_notify_status
from referrals.services.timeline import timeline_add
from referrals.services.webhooks import webhook_message_created
from referrals.timeline_text import TimelineText

WORKABLE = (Status.ROUTED, Status.IN_REVIEW, Status.NEEDS_INFO)
MESSAGE_MAX = 2000


def locked(referral: Referral) -> Referral:
    # `of=self`: lock only the referral row, not its queue and organisation (and PostgreSQL
    # refuses FOR UPDATE on the nullable side of the queue join anyway).
    return Referral.objects.select_for_update(of=("self",)).select_related("queue", "organisation").get(pk=referral.pk)


def require_act(by, referral: Referral) -> None:
    if not can_act_on(by, referral):
        raise NotAllowed(_("Only the reviewer assigned to this referral or a queue lead may do this."))


# --- Claiming --------------------------------------------------------------------------------


def _claimable(queue: Queue, *, languages=()):
    """The queue's claimable referrals, top first: those in `languages` (the languages the
    reviewer reads, SPEC §15) before the rest, then by priority and deadline."""
    qs = Referral.objects.filter(queue=queue, status=Status.ROUTED, assignee__isnull=True)
    order = ["-priority", "due_at", "received_at"]
    if languages:
        qs = qs.annotate(other_language=Case(When(language__in=list(languages), then=0), default=1))
        order.insert(0, "other_language")
    return qs.order_by(*order)


def _after_claim(by, referral: Referral, request=None) -> Referral:
    timeline_add(
        referral, "claimed", actor=by, message=TimelineText(gettext_noop("A reviewer is looking at this referral."))
    )
    audit("referral.claim", actor=by, obj=referral, organisation=referral.organisation, request=request)
    referral_notify_status(referral)
    return referral


def referral_claim_next(*, by, queue: Queue, request=None) -> Referral | None:
    """Give `by` the top routed, unassigned referral of `queue` (None when there is none).

    On PostgreSQL the candidate row is locked with SKIP LOCKED, so concurrent reviewers
    each get a different referral without waiting on each other. Elsewhere (SQLite locks the
    whole database anyway) a conditional update claims it, retrying if someone was faster.
    """
    if not can_work_queue(by, queue):
        raise NotAllowed(_("You are not a member of this queue."))
    languages = getattr(by, "reads_languages", None) or ()
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            referral = _claimable(queue, languages=languages).select_for_update(skip_locked=True, of=("self",)).first()
            if referral is None:
                return None
            Referral.objects.filter(pk=referral.pk).update(status=Status.IN_REVIEW, assignee=by)
            referral.status, referral.assignee = Status.IN_REVIEW, by
            return _after_claim(by, referral, request)
    for _attempt in range(20):
        with transaction.atomic():
            referral = _claimable(queue, languages=languages).first()
            if referral is None:
                return None
            claimed = Referral.objects.filter(pk=referral.pk, status=Status.ROUTED, assignee__isnull=True).update(
                status=Status.IN_REVIEW, assignee=by
            )
            if claimed == 1:
                referral.status, referral.assignee = Status.IN_REVIEW, by
                return _after_claim(by, referral, request)
    return None


@transaction.atomic
def referral_claim(*, by, referral: Referral, request=None) -> Referral:
    """Take one particular routed, unassigned referral (from its page)."""
    referral = locked(referral)
    if not can_work_queue(by, referral.queue):
        raise NotAllowed(_("You are not a member of this referral's queue."))
    if referral.status != Status.ROUTED or referral.assignee_id is not None:
        raise TransitionError(_("Only a routed referral nobody has taken can be claimed."))
    referral.status, referral.assignee = Status.IN_REVIEW, by
    referral.save(update_fields=["status", "assignee", "updated_at"])
    return _after_claim(by, referral, request)


# --- Release, request information, reassign ------------------------------------------------------


@transaction.atomic
def referral_release(*, by, referral: Referral, request=None) -> Referral:
    """Give a referral back to its queue, unassigned (`routed`)."""
    referral = locked(referral)
    require_act(by, referral)
    if referral.status not in (Status.IN_REVIEW, Status.ROUTED) or referral.assignee_id is None:
        raise TransitionError(_("Only a referral someone is reviewing can be released."))
    previous = referral.assignee_id
    referral.status, referral.assignee = Status.ROUTED, None
    referral.save(update_fields=["status", "assignee", "updated_at"])
    timeline_add(referral, "released", actor=by, message=TimelineText(gettext_noop("Returned to the queue.")))
    audit("referral.release", actor=by, obj=referral, organisation=referral.organisation, request=request, was=previous)
    referral_notify_status(referral)
    return referral


@transaction.atomic
def referral_request_info(
    *, by, referral: Referral, message: str, now: datetime | None = None, request=None
) -> Referral:
    """Ask the submitter a question: `needs_info`, and the clock pauses until they answer."""
    message = strip_format_characters(message or "").strip()
    if not message:
        raise DomainError(_("Write the question for the submitter."), field="message")
    if len(message) > MESSAGE_MAX:
        raise DomainError(_("Keep the question under %(max)s characters.") % {"max": MESSAGE_MAX}, field="message")
    referral = locked(referral)
    require_act(by, referral)
    if referral.status not in (Status.IN_REVIEW, Status.ROUTED):
        raise TransitionError(_("Information can be requested only on a referral under review."))
    if referral.kind == Kind.SIGNAL:
        # The platform raised it: there is no submitter to answer, and the clock would stay paused.
        raise TransitionError(_("A signal has no submitter to ask; add a team note instead."))
    now = now or timezone.now()
    referral.status, referral.paused_at = Status.NEEDS_INFO, now
    if referral.assignee_id is None:
        referral.assignee = by
    referral.save(update_fields=["status", "paused_at", "assignee", "updated_at"])
    timeline_add(referral, "info_requested", actor=by, message=message)
    # The question is the platform's message on the exchange with the submitter (SPEC §17).
    question = message_add(referral=referral, side=MessageSide.PLATFORM, author=by, body=message, at=now)
    audit("referral.request_info", actor=by, obj=referral, organisation=referral.organisation, request=request)
    referral_notify_status(referral, message=message)
    webhook_message_created(message=question, referral=referral)
    return referral


@transaction.atomic
def referral_reassign(*, by, referral: Referral, assignee=None, queue: Queue | None = None, request=None) -> Referral:
    """A lead moves a referral to another reviewer (or back to the queue) or another queue."""
    if not can_reassign(by):
        raise NotAllowed(_("Only queue leads reassign referrals."))
    referral = locked(referral)
    if referral.status not in WORKABLE:
        raise TransitionError(_("Only an open, routed referral can be reassigned."))
    if assignee is not None and not can_assign_to(assignee):
        raise DomainError(_("Referrals can be given only to active reviewers and queue leads."), field="assignee")
    target_queue = queue or referral.queue
    if assignee is not None and not can_work_queue(assignee, target_queue):
        raise DomainError(
            _("%(email)s is not a member of the queue %(queue)s.")
            % {"email": assignee.email, "queue": target_queue.name},
            field="assignee",
        )
    changes = {"assignee": [referral.assignee_id, assignee.pk if assignee else None]}
    referral.assignee = assignee
    fields = ["assignee", "updated_at"]
    if queue is not None and queue.pk != referral.queue_id:
        changes["queue"] = [referral.queue.slug if referral.queue else None, queue.slug]
        referral.queue = queue
        fields.append("queue")
    if referral.status != Status.NEEDS_INFO:
        referral.status = Status.IN_REVIEW if assignee else Status.ROUTED
        fields.append("status")
    referral.save(update_fields=fields)
    timeline_add(
        referral,
        "reassigned",
        actor=by,
        message=TimelineText(gettext_noop("Reassigned within the platform team.")),
        **changes,
    )
    audit("referral.reassign", actor=by, obj=referral, organisation=referral.organisation, request=request, **changes)
    return referral
