"""Restrictions that end by themselves (SPEC §16): a decision's `restriction_end` passes.

`restriction_end` is a date: the restriction ends on it, at 00:00 in the portal's time zone
(UTC), which is why a decision may not set today as its end (decision_validate). The beat job
`referrals.tasks.lift_expired_restrictions` runs hourly: the dates have no time of day, so an
hour after midnight at the latest is as exact as they are, and a run missed while beat was
down is caught up by the next one (it lifts every end that has passed, however old).

What lifting does, once per decision:

- a suspension: each account the decision suspended (`Subject.suspended_by` is its referral,
  or the referral it was copied from) is active again, unless another decision still
  suspends it (a suspension without an end, or with a later one, taken while it was already
  suspended): then that decision's referral holds the suspension and the account stays
  suspended;
- a restriction or a label: nothing is stored about the content itself, so the record is the
  timeline entry;
- either way the referral's timeline says "Restriction ended on <date>" (what became of the
  account, for the submitter; platform roles also read when another decision keeps it
  suspended), and the audit log has `restriction.end` (and `subject.reinstate` per account).

Idempotent: the timeline entry is the marker. Each decision is claimed by locking its
referral's row and checking, under the lock, that no `restriction_ended` entry exists; the
entry is written in the same transaction, so a second run, or two runs at once, lift nothing
twice. A decision reversed on appeal was lifted then (referrals.redress.services) and is
skipped.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal.audit import audit
from referrals.models import (
    Action,
    Appeal,
    AppealOutcome,
    Decision,
    Referral,
    Status,
    Subject,
    TimelineEvent,
)
from referrals.models.surfacing import subject_suspended_links_shift, subjects_lock_with_links
from referrals.review.services.decisions import RESTRICTING_ACTIONS
from referrals.services.timeline import timeline_add
from referrals.timeline_text import TimelineText, ngettext_noop

logger = logging.getLogger(__name__)

ENDED = "restriction_ended"
BATCH = 500

REINSTATED = ngettext_noop(
    "Restriction ended on %(date)s; the account is active again.",
    "Restriction ended on %(date)s; the accounts are active again.",
)
ENDED_ONLY = gettext_noop("Restriction ended on %(date)s.")
KEPT = gettext_noop("Restriction ended on %(date)s; the account stays suspended under the decision on %(reference)s.")
CONTENT = gettext_noop("Restriction ended on %(date)s; the content is no longer restricted.")
LABEL = gettext_noop("Restriction ended on %(date)s; the label is removed.")


def _reversed(decision_ref: str = "pk"):
    return Exists(Appeal.objects.filter(decision_id=OuterRef(decision_ref), outcome=AppealOutcome.REVERSED))


def expired_restrictions(today: date):
    """Decisions whose restriction ended by `today` and was not lifted yet, the oldest end first."""
    lifted = TimelineEvent.objects.filter(referral_id=OuterRef("referral_id"), type=ENDED)
    return (
        Decision.objects.filter(
            action__in=sorted(RESTRICTING_ACTIONS),
            restriction_end__isnull=False,
            restriction_end__lte=today,
            referral__status=Status.ACTIONED,
        )
        .exclude(Exists(lifted))
        .exclude(_reversed())
        .order_by("restriction_end", "pk")
    )


def restrictions_lift_expired(*, now: datetime | None = None) -> int:
    """Lift every restriction whose end has passed (see the module's docstring); return how
    many were lifted. Each in its own transaction, so one failure leaves the others done."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lifted = 0
    while True:
        batch = list(expired_restrictions(today).values_list("pk", flat=True)[:BATCH])
        done = sum(1 for pk in batch if restriction_lift(decision_id=pk, now=now))
        lifted += done
        if len(batch) < BATCH or not done:
            break
    if lifted:
        logger.info("Lifted %d restrictions whose end had passed", lifted)
    return lifted


@transaction.atomic
def restriction_lift(*, decision_id: int, now: datetime | None = None) -> bool:
    """Lift one decision's restriction if its end has passed and it was not lifted yet;
    False when there was nothing to do (already lifted, reversed, not ended, gone)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    decision = Decision.objects.select_related("referral").filter(pk=decision_id).first()
    if decision is None:
        return False
    # The claim: the referral's row is locked, then the marker checked under the lock.
    referral = (
        Referral.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=decision.referral_id)
    )
    if (
        decision.action not in RESTRICTING_ACTIONS
        or decision.restriction_end is None
        or decision.restriction_end > today
        or referral.status != Status.ACTIONED
        or TimelineEvent.objects.filter(referral=referral, type=ENDED).exists()
        or Appeal.objects.filter(decision=decision, outcome=AppealOutcome.REVERSED).exists()
    ):
        return False
    reinstated, kept = [], {}
    if decision.action == Action.ACCOUNT_SUSPENDED:
        reinstated, kept = accounts_release(referral, decision, today)
    day = decision.restriction_end.isoformat()
    timeline_add(referral, ENDED, **_messages(decision, day, reinstated, kept), ended=day, decision=decision.pk)
    audit(
        "restriction.end",
        obj=referral,
        organisation=referral.organisation,
        outcome=decision.action,
        restriction_end=day,
        reinstated=[str(s) for s in reinstated],
        kept={str(s): reference for s, reference in kept.items()},
    )
    for subject in reinstated:
        audit("subject.reinstate", obj=subject, referral=referral.reference, reason="restriction_end")
    return True


def _messages(decision: Decision, day: str, reinstated: list, kept: dict) -> dict:
    """The submitter's line, and the platform's when it says more (another decision keeps an
    account suspended: the submitter is not told of another organisation's referral)."""
    if decision.action == Action.CONTENT_RESTRICTED:
        return {"message": TimelineText(CONTENT, {"date": day})}
    if decision.action == Action.LABEL_APPLIED:
        return {"message": TimelineText(LABEL, {"date": day})}
    if reinstated and not kept:
        return {"message": TimelineText.counted(REINSTATED, len(reinstated), date=day)}
    message = TimelineText(ENDED_ONLY, {"date": day})
    if kept:
        reference = sorted(set(kept.values()))[0]
        return {"message": message, "platform_message": TimelineText(KEPT, {"date": day, "reference": reference})}
    return {"message": message}


def suspension_chain(referral: Referral, decision: Decision) -> set[int]:
    """The referrals whose suspension this decision stands for: its own, and those of the
    decisions it was copied from."""
    seqs, source, seen = {referral.pk}, decision.applied_from, set()
    while source is not None and source.pk not in seen:
        seen.add(source.pk)
        seqs.add(source.referral_id)
        source = source.applied_from
    return seqs


def accounts_release(referral: Referral, decision: Decision, today: date) -> tuple[list[Subject], dict]:
    """Reinstate the accounts this decision suspended, or hand each over to another decision
    that still suspends it; returns (reinstated subjects, {kept subject: holding reference})."""
    chain = suspension_chain(referral, decision)
    named = Subject.objects.filter(targets__referral=referral).values("pk")
    mine = Subject.objects.filter(pk__in=named, suspended_by__in=chain, suspended_at__isnull=False).values("pk")
    subjects_lock_with_links(mine)  # with the accounts whose suspended links change, in key order
    subjects = list(
        Subject.objects.select_for_update().filter(pk__in=named, suspended_by__in=chain, suspended_at__isnull=False)
    )
    reinstated, kept = [], {}
    for subject in subjects:
        holder = _still_suspending(subject, chain, today)
        if holder is not None:
            Subject.objects.filter(pk=subject.pk).update(suspended_by=holder)
            kept[subject] = holder.reference
        elif Subject.objects.filter(pk=subject.pk, suspended_by__in=chain).update(suspended_at=None, suspended_by=None):
            reinstated.append(subject)
    subject_suspended_links_shift([s.pk for s in reinstated], -1)
    return reinstated, kept


def _still_suspending(subject: Subject, chain: set[int], today: date) -> Referral | None:
    """Another referral naming `subject` whose own suspension (not a copy) still stands: no
    end or a later one, not reversed, not ended; the one decided first."""
    decision = (
        Decision.objects.filter(
            action=Action.ACCOUNT_SUSPENDED,
            applied_from__isnull=True,
            referral__status=Status.ACTIONED,
            referral__targets__subject=subject,
        )
        .filter(Q(restriction_end__isnull=True) | Q(restriction_end__gt=today))
        .exclude(referral_id__in=chain)
        .exclude(_reversed())
        .select_related("referral")
        .order_by("decided_at", "pk")
        .first()
    )
    return decision.referral if decision is not None else None
