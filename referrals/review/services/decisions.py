"""Decisions on referrals (SPEC §4.6): validation, the decision itself, and closing the other
open referrals about the same subjects.

Same contract as claims: scoped fetch first, NotAllowed → 403, TransitionError → 409.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.countries import is_country_code
from portal.errors import TransitionError
from portal.text import strip_format_characters
from referrals.engine import clock, dsa
from referrals.law_enforcement.services.holds import tco_hold_place
from referrals.models import (
    SUBJECT_CLOSABLE_KINDS,
    Action,
    Decision,
    Ground,
    Kind,
    PreservationHold,
    Referral,
    Status,
    Subject,
)
from referrals.models.surfacing import subjects_suspend
from referrals.review.services import neutral
from referrals.review.services.claims import WORKABLE, locked, require_act
from referrals.services.clock import paused_fields
from referrals.services.notify import referral_notify_status
from referrals.services.timeline import timeline_add
from referrals.services.webhooks import webhook_referral_decided

STATUS_FOR_ACTION = {
    Action.NO_ACTION: Status.NO_VIOLATION,
    Action.UNABLE_TO_COMPLY: Status.REJECTED,
}
# Outcomes that say something about the account or its content, and so may close the other
# open notices naming the same subjects. Preserving or disclosing data answers one agency's
# request and says nothing about whether the account breaks the rules.
SUBJECT_WIDE_ACTIONS = frozenset(
    {
        Action.ACCOUNT_SUSPENDED,
        Action.CONTENT_REMOVED,
        Action.CONTENT_RESTRICTED,
        Action.LABEL_APPLIED,
        Action.NO_ACTION,
    }
)
RESTRICTING_ACTIONS = frozenset({Action.ACCOUNT_SUSPENDED, Action.CONTENT_RESTRICTED, Action.LABEL_APPLIED})
ACTION_ONLY_FOR = {
    Action.DATA_PRESERVED: Kind.PRESERVATION_REQUEST,
    Action.DATA_DISCLOSED: Kind.EMERGENCY_REQUEST,
}
STATEMENT_MIN, STATEMENT_MAX = 20, 5000
PRESERVATION_DEFAULT_DAYS = 90


# --- Decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionInput:
    action: str
    ground: str
    policy: str
    statement_of_reasons: str
    territorial_scope: tuple[str, ...]
    restriction_end: date | None
    apply_to_subject: bool
    non_compliance_reason: str


def decision_validate(
    *,
    referral: Referral,
    action: str,
    ground: str,
    policy: str,
    statement_of_reasons: str,
    territorial_scope: Iterable[str] | None = None,
    restriction_end: date | None = None,
    apply_to_subject: bool = True,
    non_compliance_reason: str = "",
    today: date | None = None,
) -> DecisionInput:
    """Check a decision against SPEC §4.6; every problem is reported on its field."""
    errors: dict[str, str] = {}
    if action not in Action.values:
        errors["action"] = _("Choose one of: %(values)s.") % {"values": ", ".join(Action.values)}
    elif action in ACTION_ONLY_FOR and referral.kind != ACTION_ONLY_FOR[action]:
        errors["action"] = _("%(action)s answers only a %(kind)s.") % {
            "action": Action(action).label,
            "kind": Kind(ACTION_ONLY_FOR[action]).label.lower(),
        }
    if ground not in Ground.values:
        errors["ground"] = _("Choose one of: %(values)s.") % {"values": ", ".join(Ground.values)}
    policy = strip_format_characters(policy or "").strip()
    if not policy:
        errors["policy"] = _("Name the rule or legal provision the decision rests on.")
    elif len(policy) > 300:
        errors["policy"] = _("Keep the rule or provision under 300 characters.")
    statement = strip_format_characters(statement_of_reasons or "").strip()
    if not STATEMENT_MIN <= len(statement) <= STATEMENT_MAX:
        errors["statement_of_reasons"] = _(
            "The statement of reasons must be %(min)s to %(max)s characters (it is %(length)s)."
        ) % {"min": STATEMENT_MIN, "max": STATEMENT_MAX, "length": len(statement)}
    scope: list[str] = []
    if territorial_scope is None:
        territorial_scope = []
    if isinstance(territorial_scope, str):
        territorial_scope = [c for c in re.split(r"[\s,]+", territorial_scope) if c]
    for code in territorial_scope:
        code = str(code).strip().upper()
        # The DSA Transparency Database takes only EEA countries (SPEC §22); empty means all.
        # Its hints come first: "UK" and "EL" are common mistakes for GB and GR.
        outside = dsa.territorial_scope_error(code)
        if outside and (code in dsa.HINTED or is_country_code(code)):
            errors["territorial_scope"] = outside
            break
        if not is_country_code(code):
            errors["territorial_scope"] = _("'%(code)s' is not an ISO 3166-1 country code, e.g. DE.") % {"code": code}
            break
        if code not in scope:
            scope.append(code)
    today = today or timezone.localdate()
    if restriction_end is not None:
        if action not in RESTRICTING_ACTIONS:
            errors["restriction_end"] = _("An end date applies only to a suspension, restriction or label.")
        elif restriction_end <= today:
            errors["restriction_end"] = _("The end of the restriction must be in the future.")
        elif restriction_end > dsa.LATEST_DATE:
            errors["restriction_end"] = _(
                "The DSA Transparency Database takes end dates up to %(date)s; "
                "leave it empty for a restriction without an end."
            ) % {"date": dateformat.format(dsa.LATEST_DATE, "j F Y")}
    reason = (non_compliance_reason or "").strip()
    if action == Action.UNABLE_TO_COMPLY:
        if reason and reason not in Decision.NonComplianceReason.values:
            errors["non_compliance_reason"] = _("Choose one of: %(values)s.") % {
                "values": ", ".join(Decision.NonComplianceReason.values)
            }
        elif not reason and referral.kind == Kind.REMOVAL_ORDER:
            errors["non_compliance_reason"] = _(
                "Give the reason the removal order cannot be complied with: force majeure, "
                "manifest error or insufficient information."
            )
    elif reason:
        errors["non_compliance_reason"] = _("A non-compliance reason goes only with 'unable to comply'.")
    if errors:
        from django.core.exceptions import ValidationError

        raise ValidationError({field: [message] for field, message in errors.items()})
    return DecisionInput(
        action=action,
        ground=ground,
        policy=policy,
        statement_of_reasons=statement,
        territorial_scope=tuple(scope),
        restriction_end=restriction_end,
        apply_to_subject=bool(apply_to_subject),
        non_compliance_reason=reason,
    )


def _close(referral: Referral, status: str, now: datetime, **extra) -> list[str]:
    fields = paused_fields(referral, now)
    fields.update(status=status, decided_at=now, closed_at=now, **extra)
    for name, value in fields.items():
        setattr(referral, name, value)
    return [*fields, "updated_at"]


@transaction.atomic
def referral_decide(*, by, referral: Referral, now: datetime | None = None, request=None, **data) -> Decision:
    """Record the decision on `referral` (SPEC §4.6) and apply its effects.

    `data` holds the decision fields (see decision_validate). Status becomes `actioned`,
    `no_violation` (no_action) or `rejected` (unable_to_comply); `on_time` comes from the
    clock; a suspension marks the subjects suspended; `data_preserved` puts holds on them;
    with `apply_to_subject` the other open notices and LE referrals naming the same subjects
    close with the same outcome, linked to this decision. Legal kinds are never closed that way.
    """
    now = now or timezone.now()
    referral = locked(referral)
    require_act(by, referral)
    if referral.status not in WORKABLE:
        raise TransitionError(
            _("A %(status)s referral cannot be decided.") % {"status": referral.get_status_display().lower()}
        )
    valid = decision_validate(referral=referral, today=timezone.localdate(now), **data)
    status = STATUS_FOR_ACTION.get(valid.action, Status.ACTIONED)
    fields = _close(referral, status, now)
    if referral.assignee_id is None:
        referral.assignee = by
        fields.append("assignee")
    referral.save(update_fields=fields)
    met = clock.clock_of(referral).met_deadline() if referral.due_at else None
    decision = Decision.objects.create(
        referral=referral,
        action=valid.action,
        ground=valid.ground,
        policy=valid.policy,
        statement_of_reasons=valid.statement_of_reasons,
        territorial_scope=list(valid.territorial_scope),
        restriction_end=valid.restriction_end,
        apply_to_subject=valid.apply_to_subject,
        non_compliance_reason=valid.non_compliance_reason,
        decided_by=by,
        decided_at=now,
        on_time=met,
    )
    referral.decision = decision
    subject_ids = list(Subject.objects.filter(targets__referral=referral).values_list("pk", flat=True).distinct())
    if valid.action == Action.ACCOUNT_SUSPENDED and subject_ids:
        subjects_suspend(subject_ids, at=now, by=referral)  # and counts them among their links' suspended
    if valid.action == Action.DATA_PRESERVED:
        until = referral.preserve_until or (timezone.localdate(now) + timedelta(days=PRESERVATION_DEFAULT_DAYS))
        PreservationHold.objects.bulk_create(
            [PreservationHold(subject_id=s, referral=referral, until=until, created_at=now) for s in subject_ids]
        )
    # Content removed under a removal order is kept six months (TCO Regulation Art. 6).
    tco_hold_place(referral=referral, action=valid.action, subject_ids=subject_ids, now=now, by=by, request=request)
    timeline_add(
        referral,
        "decided",
        actor=by,
        message=neutral.decision_message(valid.action),
        action=valid.action,
        on_time=met,
    )
    audit(
        "referral.decide",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        outcome=valid.action,
        ground=valid.ground,
        on_time=met,
    )
    referral_notify_status(referral)
    webhook_referral_decided(referral=referral)
    if valid.apply_to_subject and valid.action in SUBJECT_WIDE_ACTIONS and subject_ids:
        _apply_to_subjects(by=by, source=referral, decision=decision, subject_ids=subject_ids, now=now, request=request)
    return decision


def _apply_to_subjects(
    *, by, source: Referral, decision: Decision, subject_ids: list, now: datetime, request=None
) -> list[Referral]:
    open_statuses = [Status.RECEIVED, *WORKABLE]
    seqs = set(
        Referral.objects.filter(
            targets__subject_id__in=subject_ids, kind__in=SUBJECT_CLOSABLE_KINDS, status__in=open_statuses
        )
        .exclude(pk=source.pk)
        .values_list("pk", flat=True)
    )
    # Locked in a second query: PostgreSQL allows no FOR UPDATE with the join's DISTINCT.
    others = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(pk__in=seqs, status__in=open_statuses)
        .select_related("organisation")
        .order_by("seq")
    )
    status = STATUS_FOR_ACTION.get(decision.action, Status.ACTIONED)
    linked = neutral.applied_from_message(decision.action, source.reference)
    closed = []
    for other in others:
        fields = _close(other, status, now, related=source)
        other.save(update_fields=fields)
        met = clock.clock_of(other).met_deadline() if other.due_at else None
        # Another organisation's submitter gets a statement written for it, never the source's
        # reference, legal basis or reasons (SPEC §4.6); the platform keeps `applied_from`.
        shared = other.organisation_id == source.organisation_id
        other.decision = Decision.objects.create(
            referral=other,
            action=decision.action,
            ground=decision.ground if shared else neutral.GROUND,
            policy=decision.policy if shared else neutral.POLICY,
            statement_of_reasons=decision.statement_of_reasons
            if shared
            else neutral.applied_statement(decision.action),
            territorial_scope=decision.territorial_scope,
            restriction_end=decision.restriction_end,
            apply_to_subject=False,
            decided_by=by,
            decided_at=now,
            on_time=met,
            applied_from=decision,
        )
        timeline_add(
            other,
            "decided",
            actor=by,
            message=linked if shared else neutral.applied_message(decision.action),
            platform_message=linked,
            action=decision.action,
            applied_from=source.reference,
        )
        audit(
            "referral.decide",
            actor=by,
            obj=other,
            organisation=other.organisation,
            request=request,
            outcome=decision.action,
            applied_from=source.reference,
        )
        referral_notify_status(other)
        webhook_referral_decided(referral=other)  # with its own (neutral) decision only
        closed.append(other)
    return closed
