"""Appeals and complaints against decisions, and what reversing one does (SPEC §16).

- `appeal_file`: the organisation that filed a referral appeals its decision, once, within
  six months (APPEAL_WINDOW); `complaint_record`: platform staff record a complaint from the
  account holder against a restriction (several may be). Both wait in the `appeals` queue,
  due after its SLA (7 days).
- `appeal_decide`: a reviewer or queue lead other than the person who took the decision
  upholds it or reverses it, with a statement.

What a reversal does depends on what the decision did:

- A decision that restricted something (suspension, removal, restriction, label) is lifted
  at once and stays on the referral, which stays `actioned`, for the record: the accounts it
  suspended are active again (so routing no longer closes new notices about them as
  duplicates), and its statement of reasons is withdrawn from the export (the DSA
  Transparency Database takes no withdrawals; one not yet sent is never sent).
- Any other decision (no action, unable to comply, data preserved or disclosed) is taken
  again: the referral goes back to its queue as `routed`, unassigned, 50 points higher, with
  a fresh deadline. Its Decision row is deleted, because a referral has one decision
  (`Decision.referral` is one-to-one and not nullable) and the fresh one needs the place;
  what it said is kept on the appeal (`Appeal.original`, written when the appeal was filed)
  and in the audit log, so the record survives without a second kind of decision row.

Callers fetch the referral or appeal through a scoping selector first (outside scope → 404);
these raise NotAllowed (403), TransitionError (409) or DomainError (400, with the field).
Every change is on the referral's timeline (complaints only for platform roles) and audited;
the appellant organisation's members are told in-app and by e-mail, in their language.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.notifications import notify_users
from portal.text import free_text_clean
from referrals.models import (
    DECIDED_STATUSES,
    STATEMENT_ACTIONS,
    Action,
    Appeal,
    AppealOutcome,
    AppealSource,
    AppealStatus,
    Decision,
    Queue,
    Referral,
    StatementSubmission,
    Status,
    Subject,
)
from referrals.redress.expiry import accounts_release
from referrals.redress.permissions import (
    can_appeal,
    can_decide_appeals,
    can_record_complaints,
    decided_the_original,
    decision_appealable,
)
from referrals.redress.selectors import APPEAL_WINDOW
from referrals.review.services.claims import locked
from referrals.selectors import PLATFORM_ONLY
from referrals.services.timeline import timeline_add
from referrals.services.webhooks import webhook_appeal_decided
from referrals.timeline_text import TimelineText

APPEALS_QUEUE = "appeals"
APPEALS_NAME = "Appeals"
APPEALS_SLA_MINUTES = 7 * 24 * 60
APPEALS_DESCRIPTION = (
    "Appeals by notifiers and complaints by account holders against decisions, each decided by "
    "someone other than the person who took the decision."
)
REASON_MIN, REASON_MAX = 20, 5000
STATEMENT_MIN, STATEMENT_MAX = 20, 5000
# A decision that restricted nothing, reversed, is decided again ahead of the queue's new work.
REOPEN_PRIORITY = 50
FALLBACK_QUEUE = "general"


def appeals_queue() -> Queue:
    """The `appeals` queue (a data migration makes it; made here too if a test flushed it)."""
    queue, _created = Queue.objects.get_or_create(
        slug=APPEALS_QUEUE,
        defaults={"name": APPEALS_NAME, "sla_minutes": APPEALS_SLA_MINUTES, "description": APPEALS_DESCRIPTION},
    )
    return queue


def _text_clean(value, *, field: str, low: int, high: int, empty: str) -> str:
    text = free_text_clean(
        value,
        field=field,
        limit=high,
        empty=empty,
        too_long=_("Keep it to %(max)s characters (this one has %(count)s)."),
    )
    if len(text) < low:
        raise DomainError(
            _("Write at least %(min)s characters (this one has %(count)s).") % {"min": low, "count": len(text)},
            field=field,
        )
    return text


def _snapshot(decision: Decision) -> dict:
    """What the decision said, kept on the appeal whatever becomes of the decision."""
    return {
        "action": decision.action,
        "ground": decision.ground,
        "policy": decision.policy,
        "statement_of_reasons": decision.statement_of_reasons,
        "territorial_scope": list(decision.territorial_scope or []),
        "restriction_end": decision.restriction_end.isoformat() if decision.restriction_end else None,
        "decided_at": decision.decided_at.isoformat(),
        "applied_from": decision.applied_from_id,
    }


def _new_appeal(*, referral: Referral, decision: Decision, source: str, reason: str, now: datetime, **who) -> Appeal:
    queue = appeals_queue()
    return Appeal.objects.create(
        referral=referral,
        decision=decision,
        original_action=decision.action,
        original_decided_by_id=decision.decided_by_id,
        original=_snapshot(decision),
        source=source,
        reason=reason,
        filed_at=now,
        due_at=now + timedelta(minutes=queue.sla_minutes),
        queue=queue,
        **who,
    )


def _reversed_already(decision: Decision) -> bool:
    return Appeal.objects.filter(decision=decision, outcome=AppealOutcome.REVERSED).exists()


def _members_of(organisation_id):
    return get_user_model().objects.filter(membership__organisation_id=organisation_id, is_active=True)


def _notify(appeal: Appeal, referral: Referral, template: str, **context) -> None:
    """The appellant organisation's members (for a complaint: the referral's, told only of a
    reversal, never of the complaint), each in their own language."""
    context = {
        "appeal": appeal,
        "referral": referral,
        "reference": referral.reference,
        "path": f"/referrals/{referral.reference}/",
        "complaint": appeal.is_complaint,
        **context,
    }
    notify_users(list(_members_of(referral.organisation_id)), template, context, link=context["path"])


# --- Filing -----------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, by, referral: Referral, reason: str, now: datetime | None = None, request=None) -> Appeal:
    """The submitting organisation appeals the decision on `referral` (DSA Art. 20).

    Once per referral, within APPEAL_WINDOW (183 days) of the decision, on a decided referral
    (actioned, no violation, rejected; a duplicate or withdrawn referral has no decision of
    its own to appeal). `reason`: 20 to 5,000 characters."""
    now = now or timezone.now()
    referral = locked(referral)
    if not can_appeal(by, referral):
        raise NotAllowed(_("Only the organisation that filed this referral may appeal its decision."))
    decision = Decision.objects.filter(referral=referral).first()
    if referral.status not in DECIDED_STATUSES or decision is None:
        raise TransitionError(_("Only a decided referral can be appealed."))
    if not decision_appealable(decision):
        raise TransitionError(_("The request was granted as asked: there is no decision to contest."))
    if Appeal.objects.filter(referral=referral, source=AppealSource.NOTIFIER).exists():
        raise TransitionError(_("This decision has already been appealed: a decision is appealed once."))
    if _reversed_already(decision):
        raise TransitionError(_("This decision has already been reversed."))
    deadline = decision.decided_at + APPEAL_WINDOW
    if now > deadline:
        raise TransitionError(
            _("The time to appeal ended on %(date)s, six months after the decision.")
            % {"date": f"{timezone.localtime(deadline):%Y-%m-%d}"}
        )
    reason = _text_clean(reason, field="reason", low=REASON_MIN, high=REASON_MAX, empty=_("Say why you appeal."))
    appeal = _new_appeal(
        referral=referral,
        decision=decision,
        source=AppealSource.NOTIFIER,
        reason=reason,
        now=now,
        filed_by=by,
        organisation=referral.organisation,
    )
    timeline_add(
        referral,
        "appealed",
        actor=by,
        message=TimelineText(
            gettext_noop("The decision was appealed. Someone other than the reviewer who took it decides by %(date)s."),
            {"date": f"{appeal.due_at:%Y-%m-%d}"},
        ),
        appeal=str(appeal.pk),
    )
    audit(
        "appeal.file",
        actor=by,
        obj=appeal,
        organisation=referral.organisation,
        request=request,
        referral=referral.reference,
        decision=decision.action,
    )
    _notify(appeal, referral, "appeal_received")
    return appeal


@transaction.atomic
def complaint_record(*, by, referral: Referral, reason: str, now: datetime | None = None, request=None) -> Appeal:
    """Platform staff record a complaint from the account holder against the restriction
    `referral`'s decision imposed (DSA Art. 20, Reg. 2021/784 Art. 10). Several may be; the
    account holder is no user of the portal, so nobody is notified, and the submitter never
    sees it (the timeline entry is for platform roles only)."""
    now = now or timezone.now()
    if not can_record_complaints(by):
        raise NotAllowed(_("Only platform staff record complaints."))
    referral = locked(referral)
    decision = Decision.objects.filter(referral=referral).first()
    if referral.status != Status.ACTIONED or decision is None or decision.action not in STATEMENT_ACTIONS:
        raise TransitionError(
            _("A complaint contests a restriction: only a decision that restricted an account or content has one.")
        )
    if _reversed_already(decision):
        raise TransitionError(_("This decision has already been reversed."))
    reason = _text_clean(
        reason, field="reason", low=REASON_MIN, high=REASON_MAX, empty=_("Write what the account holder says.")
    )
    appeal = _new_appeal(
        referral=referral,
        decision=decision,
        source=AppealSource.ACCOUNT_HOLDER,
        reason=reason,
        now=now,
        recorded_by=by,
    )
    timeline_add(
        referral,
        "complaint",
        actor=by,
        message=TimelineText(gettext_noop("A complaint from the account holder was recorded.")),
        appeal=str(appeal.pk),
        **{PLATFORM_ONLY: True},
    )
    audit("appeal.complaint", actor=by, obj=appeal, organisation=referral.organisation, request=request)
    return appeal


# --- Deciding ---------------------------------------------------------------------------------


@transaction.atomic
def appeal_decide(
    *, by, appeal: Appeal, outcome: str, statement: str, now: datetime | None = None, request=None
) -> Appeal:
    """Decide `appeal`: `upheld` (the decision stands) or `reversed` (see the module's
    docstring for what a reversal does). By a reviewer or queue lead, never the person who
    took the decision under appeal; once."""
    now = now or timezone.now()
    if not can_decide_appeals(by):
        raise NotAllowed(_("Only reviewers and queue leads decide appeals."))
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if decided_the_original(by, appeal):
        raise NotAllowed(
            _("You took the decision under appeal, so another reviewer or a queue lead must decide the appeal.")
        )
    if appeal.status != AppealStatus.OPEN:
        raise TransitionError(_("This appeal has already been decided."))
    if outcome not in AppealOutcome.values:
        raise DomainError(
            _("Choose one of: %(values)s.") % {"values": ", ".join(AppealOutcome.values)}, field="outcome"
        )
    statement = _text_clean(
        statement,
        field="statement",
        low=STATEMENT_MIN,
        high=STATEMENT_MAX,
        empty=_("Give the reasons for the outcome."),
    )
    referral = locked(appeal.referral)
    appeal.status, appeal.outcome, appeal.statement = AppealStatus.DECIDED, outcome, statement
    appeal.decided_by, appeal.decided_at = by, now
    effect = ""
    if outcome == AppealOutcome.REVERSED:
        decision = Decision.objects.filter(referral=referral).first()
        if decision is None or decision.pk != appeal.decision_id or referral.status not in DECIDED_STATUSES:
            raise TransitionError(_("The decision under appeal is no longer the referral's: it cannot be reversed."))
        if _reversed_already(decision):
            raise TransitionError(_("This decision has already been reversed."))
        _decided_timeline(by, referral, appeal)  # the outcome first, then what it did
        if decision.action in STATEMENT_ACTIONS:
            effect = _lift(by=by, referral=referral, decision=decision, appeal=appeal, now=now, request=request)
        else:
            effect = _reopen(by=by, referral=referral, decision=decision, appeal=appeal, now=now, request=request)
    else:
        _decided_timeline(by, referral, appeal)
    appeal.save(update_fields=["status", "outcome", "statement", "decided_by", "decided_at", "decision"])
    audit(
        "appeal.decide",
        actor=by,
        obj=appeal,
        organisation=referral.organisation,
        request=request,
        referral=referral.reference,
        outcome=outcome,
        source=appeal.source,
        effect=effect,
    )
    if not appeal.is_complaint or appeal.reversed:
        _notify(appeal, referral, "appeal_decided", effect=effect)
    webhook_appeal_decided(appeal=appeal, referral=referral)  # never a complaint
    return appeal


def _decided_timeline(by, referral: Referral, appeal: Appeal) -> None:
    if appeal.is_complaint:
        text = (
            gettext_noop("The account holder's complaint was upheld: the decision is reversed.")
            if appeal.reversed
            else gettext_noop("The account holder's complaint was rejected: the decision stands.")
        )
        timeline_add(
            referral,
            "complaint_decided",
            actor=by,
            message=TimelineText(text),
            appeal=str(appeal.pk),
            **{PLATFORM_ONLY: True},
        )
        return
    text = (
        gettext_noop("The appeal was decided: the decision is reversed.")
        if appeal.reversed
        else gettext_noop("The appeal was decided: the decision stands.")
    )
    timeline_add(referral, "appeal_decided", actor=by, message=TimelineText(text), appeal=str(appeal.pk))


def _lift(*, by, referral: Referral, decision: Decision, appeal: Appeal, now: datetime, request=None) -> str:
    """Lift a restriction at once: reinstate the accounts it suspended, withdraw its statement
    of reasons from what is still to be sent, and say so on this referral's timeline and on
    those of the referrals the decision was applied to."""
    subjects: list[Subject] = []
    if decision.action == Action.ACCOUNT_SUSPENDED:
        # As when a restriction ends: an account another standing decision suspends stays
        # suspended, under that decision.
        subjects, _kept = accounts_release(referral, decision, timezone.localdate(now))
    reinstated = [str(s) for s in subjects]
    if decision.action == Action.ACCOUNT_SUSPENDED:
        message = TimelineText(gettext_noop("Decision reversed on appeal; the account is active again."))
        effect = "reinstated"
    else:
        message = TimelineText(gettext_noop("Decision reversed on appeal; the restriction is lifted."))
        effect = "lifted"
    timeline_add(referral, "decision_reversed", actor=by, message=message, reinstated=reinstated)
    for copied in Decision.objects.filter(applied_from=decision).select_related("referral"):
        timeline_add(copied.referral, "decision_reversed", actor=by, message=message)
    for subject in subjects:
        audit("subject.reinstate", actor=by, obj=subject, request=request, referral=referral.reference)
    if decision.applied_from_id is None:
        # Not yet sent: never sent. Already in the database: it stays there (the database
        # takes no withdrawals), and the export no longer lists it.
        unsent = StatementSubmission.objects.filter(decision=decision, state=StatementSubmission.State.PENDING)
        removed = unsent.delete()[0]
        audit(
            "statement.withdraw",
            actor=by,
            obj=referral,
            organisation=referral.organisation,
            request=request,
            puid=referral.reference,
            unsent_removed=bool(removed),
        )
    return effect


def _reopen(*, by, referral: Referral, decision: Decision, appeal: Appeal, now: datetime, request=None) -> str:
    """Put the referral back in its queue for a fresh decision (see the module's docstring)."""
    queue = referral.queue or Queue.objects.filter(slug=FALLBACK_QUEUE).first()
    appeal.decision = None
    # Kept whole in the audit log as well as on the appeal: the decision row goes.
    audit(
        "decision.reverse",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        appeal=str(appeal.pk),
        decision=appeal.original,
    )
    decision.delete()  # other appeals of it keep their `original`; their `decision` empties
    referral.status = Status.ROUTED
    referral.queue = queue
    referral.assignee = None
    referral.decided_at = None
    referral.closed_at = None
    referral.related = None
    referral.breached = False
    referral.priority += REOPEN_PRIORITY
    referral.due_at = now + timedelta(minutes=queue.sla_minutes) if queue is not None else None
    referral.routing_reasons = [
        *(referral.routing_reasons or []),
        f"Reversed on appeal on {now:%Y-%m-%d}: + {REOPEN_PRIORITY} priority for a fresh decision, "
        f"due {queue.sla_minutes if queue else 0} minutes after the reversal",
    ]
    referral.save(
        update_fields=[
            "status",
            "queue",
            "assignee",
            "decided_at",
            "closed_at",
            "related",
            "breached",
            "priority",
            "due_at",
            "routing_reasons",
            "updated_at",
        ]
    )
    timeline_add(
        referral,
        "decision_reversed",
        actor=by,
        message=TimelineText(gettext_noop("Decision reversed on appeal; the referral is back in review.")),
        queue=queue.slug if queue else None,
        priority=referral.priority,
    )
    return "reopened"
