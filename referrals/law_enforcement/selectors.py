"""Reads for the liaison's desk (SPEC §5): the agency's requests, its figures, the feedback
on a removal order. Everything starts from `referrals_visible_to`, so a liaison sees only
its own agency's requests and the figures count nothing else.

"On time" and "minutes to decision" use the same definitions as the transparency report
(`removal_order_compliance` and `time_to_decision` below, and `referrals.engine.clock`), which
the transparency report imports from here, so the desk, the feedback document and the public
figures agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Aggregate, Case, Count, F, FloatField, Func, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Cast, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Organisation, OrganisationKind
from portal.accounts.roles import is_platform, is_queue_lead
from referrals.choices import HoldBasis
from referrals.engine import clock, legal
from referrals.engine.clock import minutes_to_decision, percentile
from referrals.law_enforcement.permissions import (
    can_renew_tco_hold,
    can_see_productions,
    can_send_outbound_notices,
    is_agency_liaison,
)
from referrals.models import (
    DECIDED_STATUSES,
    LAW_ENFORCEMENT_KINDS,
    OPEN_STATUSES,
    Action,
    Kind,
    OutboundNotice,
    PreservationHold,
    Production,
    Referral,
    Status,
)
from referrals.redress.selectors import reversal_of
from referrals.selectors import referrals_visible_to
from referrals.services.labels import engine_text

# Outcomes of a removal order that mean the content is no longer reachable.
DECIDED = tuple(DECIDED_STATUSES)
COMPLIED_ACTIONS = frozenset({Action.CONTENT_REMOVED, Action.CONTENT_RESTRICTED, Action.ACCOUNT_SUSPENDED})


def agency_requests(user) -> QuerySet[Referral]:
    """The law-enforcement requests `user` may see: for a liaison, its agency's."""
    return referrals_visible_to(user).filter(kind__in=LAW_ENFORCEMENT_KINDS)


def agency_open_requests(user, *, limit: int = 20) -> list[Referral]:
    """Open requests, the nearest deadline first (no deadline last)."""
    qs = agency_requests(user).filter(status__in=OPEN_STATUSES)
    return list(qs.order_by(F("due_at").asc(nulls_last=True), "received_at")[:limit])


def agency_recent_decisions(user, *, limit: int = 10) -> list[Referral]:
    return list(agency_requests(user).filter(status__in=DECIDED).order_by("-decided_at")[:limit])


def agency_figures(user) -> dict:
    """The agency's figures over all its requests (three aggregate queries):

    - `by_kind`: requests filed, open and decided per kind, with the median minutes to
      decision (pauses excluded, as `referrals.clock.minutes_to_decision`);
    - `removal`: `{counted, within, share}` of removal orders decided within their 60
      minutes (decided or open past the deadline are counted; on time is `Decision.on_time`).
    """
    # The selector's joins and annotations are for pages; the aggregates need bare rows.
    bare = Referral.objects.filter(seq__in=agency_requests(user).values("seq")).order_by()
    counts = {k: {"total": 0, "open": 0, "decided": 0} for k in LAW_ENFORCEMENT_KINDS}
    rows = bare.values("kind", "status").annotate(n=Count("seq")).order_by()
    for row in rows:
        entry = counts.setdefault(row["kind"], {"total": 0, "open": 0, "decided": 0})
        entry["total"] += row["n"]
        if row["status"] in OPEN_STATUSES:
            entry["open"] += row["n"]
        if row["status"] in DECIDED:
            entry["decided"] += row["n"]
    medians = time_to_decision(bare.filter(status__in=DECIDED, decided_at__isnull=False))
    by_kind = [
        {
            "kind": kind.value,
            "label": kind.label,
            **counts[kind.value],
            "median_minutes": medians.get(kind.value, {}).get("median_minutes"),
        }
        for kind in Kind
        if kind in LAW_ENFORCEMENT_KINDS
    ]
    return {
        "total": sum(row["total"] for row in by_kind),
        "by_kind": by_kind,
        "removal": removal_order_compliance(bare),
    }


def request_clock(referral: Referral, now: datetime | None = None) -> dict | None:
    """What a page shows of a request's deadline: due time, time left, state."""
    c = clock.clock_of(referral)
    if c is None:
        return None
    now = now or timezone.now()
    return {
        "due_at": referral.due_at,
        "remaining": c.remaining(now),
        "paused": referral.paused_at is not None,
        "at_risk": c.is_at_risk(now),
        "overdue": referral.breached or c.is_breached(now),
        "running": referral.decided_at is None and referral.paused_at is None and not referral.is_closed,
    }


def deadline_outcome(referral: Referral) -> dict | None:
    """For a decided removal order or emergency request: whether it met its 60 minutes and the
    sentence saying so."""
    decision = getattr(referral, "decision", None)
    if referral.kind not in (Kind.REMOVAL_ORDER, Kind.EMERGENCY_REQUEST) or decision is None:
        return None
    if referral.decided_at is None:
        return None
    on_time = decision.on_time
    if on_time is None:
        on_time = clock.clock_of(referral).met_deadline()
    if not on_time:
        text = _("Decided after the 60-minute deadline")
    elif referral.kind == Kind.EMERGENCY_REQUEST:
        text = _("Answered within 60 minutes")
    elif decision.action == Action.CONTENT_REMOVED:
        text = _("Removed within 60 minutes")
    else:
        text = _("Decided within 60 minutes")
    return {"on_time": bool(on_time), "text": text}


def removal_order_feedback(referral: Referral) -> dict:
    """The feedback to the issuing authority on a decided removal order: what was done,
    when, and why not when the platform could not comply. Plain JSON-able data; the
    caller has fetched `referral` through the scoping selector."""
    decision = referral.decision
    minutes = clock.minutes_to_decision(
        referral.received_at, max(referral.decided_at, referral.received_at), referral.paused_seconds / 60
    )
    outcome = deadline_outcome(referral)
    reason = decision.non_compliance_reason
    return {
        "reference": referral.reference,
        "id": str(referral.id),
        "kind": referral.kind,
        "issuing_authority": referral.issuing_authority,
        "authority_reference": referral.authority_reference,
        "legal_basis": referral.legal_basis,
        "legal_grounds": [
            {"ground": g, "label": engine_text(legal.GROUND_LABELS.get(g, g))} for g in referral.legal_grounds
        ],
        "targets": [t.url for t in referral.targets.all()],
        "received_at": referral.received_at.isoformat(),
        "due_at": referral.due_at.isoformat() if referral.due_at else None,
        "decided_at": referral.decided_at.isoformat(),
        "paused_minutes": round(referral.paused_seconds / 60, 1),
        "minutes_to_decision": round(minutes, 1),
        "on_time": outcome["on_time"],
        "deadline": outcome["text"],
        "complied": decision.action in COMPLIED_ACTIONS,
        "action": decision.action,
        "action_label": decision.get_action_display(),
        "ground": decision.ground,
        "policy": decision.policy,
        "statement_of_reasons": decision.statement_of_reasons,
        "territorial_scope": list(decision.territorial_scope),
        "non_compliance_reason": (
            {
                "reason": reason,
                "label": engine_text(legal.NON_COMPLIANCE_LABELS.get(reason, reason)),
                "explanation": engine_text(legal.NON_COMPLIANCE_EXPLANATIONS.get(reason, "")),
            }
            if reason
            else None
        ),
        "reversal": _reversal(decision),
    }


def _reversal(decision) -> dict | None:
    """A removal reversed on appeal or complaint (SPEC §16, Reg. 2021/784 Art. 10): the content
    is reinstated and the issuing authority is told when, and why, in the platform's words."""
    if decision.action not in COMPLIED_ACTIONS:
        return None
    appeal = reversal_of(decision)
    if appeal is None:
        return None
    return {
        "reversed_at": appeal.decided_at.isoformat(),
        "after": "complaint" if appeal.is_complaint else "appeal",
        "statement": appeal.statement,
    }


def feedback_available(referral: Referral) -> bool:
    return (
        referral.kind == Kind.REMOVAL_ORDER
        and referral.decided_at is not None
        and getattr(referral, "decision", None) is not None
    )


# --- Figures shared with the transparency report ---------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: the `fraction` percentile, linearly interpolated."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float):
        super().__init__(expression, fraction=repr(float(fraction)))


class SecondsBetween(Func):
    """PostgreSQL: exact seconds from the second timestamp to the first."""

    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    output_field = FloatField()


# "On time" for a decided referral: the decision's recorded `on_time`, or where it is unset,
# the clock's own test, decided by `due_at` (referrals.engine.clock.Clock.met_deadline).
ON_TIME = Q(status__in=DECIDED) & (
    Q(decision__on_time=True) | Q(decision__on_time__isnull=True, decided_at__lte=F("due_at"))
)


def removal_order_compliance(referrals) -> dict:
    """`{counted, within, share}` for the removal orders among `referrals` (one query).

    Counted: decided, or open past the deadline. Within: decided with `on_time` recorded
    true, or, where it is unset, decided by `due_at` (the clock's own test).
    """
    counts = (
        referrals.filter(kind=Kind.REMOVAL_ORDER)
        .order_by()
        .aggregate(
            counted=Count("seq", filter=Q(status__in=DECIDED) | Q(status__in=OPEN_STATUSES, breached=True)),
            within=Count("seq", filter=ON_TIME),
        )
    )
    return {**counts, "share": ratio(counts["within"], counts["counted"])}


def time_to_decision(decided) -> dict[str, dict]:
    """Minutes from receipt to decision per kind over the referrals `decided` (a queryset of
    decided referrals with `decided_at` set), pauses excluded as in
    `referrals.clock.minutes_to_decision`: `{kind: {"decided", "median_minutes",
    "p90_minutes"}}`, minutes rounded to 0.1, kinds with no decided referral absent.

    The transparency report and the liaison's desk both use it, so their medians agree.
    """
    if connection.vendor == "postgresql":
        minutes = Greatest(
            Value(0.0),
            (SecondsBetween("decided_at", "received_at") - Cast("paused_seconds", FloatField())) / Value(60.0),
        )
        rows = decided.values("kind").annotate(
            n=Count("seq"), median=PercentileCont(minutes, 0.5), p90=PercentileCont(minutes, 0.9)
        )
        return {
            row["kind"]: {
                "decided": row["n"],
                "median_minutes": minutes_rounded(row["median"]),
                "p90_minutes": minutes_rounded(row["p90"]),
            }
            for row in rows
        }
    # SQLite: no percentile aggregate; read the decided rows of the period (development scale).
    samples: dict[str, list[float]] = {}
    for kind, received_at, decided_at, paused in decided.values_list(
        "kind", "received_at", "decided_at", "paused_seconds"
    ).iterator():
        elapsed = minutes_to_decision(received_at, max(decided_at, received_at), paused / 60)
        samples.setdefault(kind, []).append(elapsed)
    return {
        kind: {
            "decided": len(values),
            "median_minutes": minutes_rounded(percentile(values, 50)),
            "p90_minutes": minutes_rounded(percentile(values, 90)),
        }
        for kind, values in samples.items()
    }


def minutes_rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- Productions (SPEC §17) -------------------------------------------------------------------


def productions_of(user, referral: Referral) -> QuerySet[Production]:
    """The productions delivered on `referral`, oldest first, for the requesting agency and
    platform roles; none for anyone else, nor on a referral outside `user`'s scope."""
    if not can_see_productions(user, referral):
        return Production.objects.none()
    return (
        Production.objects.filter(
            referral_id=referral.pk, referral__in=referrals_visible_to(user).filter(pk=referral.pk).values("seq")
        )
        .select_related("referral__organisation")
        .order_by("uploaded_at", "pk")
    )


# --- Paging (SPEC §17) -------------------------------------------------------------------------

# The kinds that page people on receipt, and the open states in which a paged referral is still
# waiting for someone to claim it (the condition of the `referral_paged_unclaimed` index).
PAGED_KINDS = frozenset({Kind.EMERGENCY_REQUEST, Kind.REMOVAL_ORDER})
WAITING_STATUSES = (Status.ROUTED, Status.NEEDS_INFO)
BANNER_SHOWN = 3


def paged_unclaimed() -> QuerySet[Referral]:
    """Paged referrals nobody has claimed yet (read through the partial index on `paged_at`)."""
    return Referral.objects.filter(paged_at__isnull=False, assignee__isnull=True, status__in=WAITING_STATUSES)


@dataclass(frozen=True)
class PagedWaiting:
    """What the paging banner shows: the first few waiting referrals, nearest deadline first
    (each with `minutes_left`, negative once overdue), and how many more there are."""

    referrals: list[Referral]
    more: int


def paged_waiting_for(user, *, now: datetime | None = None) -> PagedWaiting | None:
    """The paged, unclaimed referrals `user` was paged for: a queue lead all of them, anyone
    else those of the queues they are a member of; None when there are none.

    Platform roles only, and one query (the total counted by a window over the same rows);
    for anyone else, anonymous included, no query at all.
    """
    if not is_platform(user) or not user.is_active:
        return None
    rows = paged_unclaimed()
    if not is_queue_lead(user):
        rows = rows.filter(queue__members=user)
    shown = list(
        rows.annotate(waiting=Window(Count("seq")))
        .only("seq", "id", "kind", "received_at", "due_at", "paused_at", "paged_at")
        .order_by(F("due_at").asc(nulls_last=True), "paged_at", "seq")[:BANNER_SHOWN]
    )
    if not shown:
        return None
    now = now or timezone.now()
    for referral in shown:
        referral.minutes_left = (
            math.ceil((referral.due_at - now).total_seconds() / 60) if referral.due_at is not None else None
        )
    return PagedWaiting(referrals=shown, more=shown[0].waiting - len(shown))


# --- The TCO hold on a removal order (Reg. 2021/784 Art. 6) --------------------------------------


def tco_holds_active(referral: Referral, *, today=None) -> QuerySet[PreservationHold]:
    """The holds a removal order placed that still keep its content and data."""
    today = today or timezone.localdate()
    return PreservationHold.objects.filter(
        referral=referral, basis=HoldBasis.REMOVAL_ORDER, released_at__isnull=True, until__gte=today
    )


def tco_hold_state(user, referral: Referral) -> dict:
    """What a removal order's page shows of its holds: each with its basis and end, and
    whether `user` may renew them now (the agency, while one lasts)."""
    holds = list(referral.holds.select_related("subject").order_by("subject__platform", "pk"))
    today = timezone.localdate()
    lasting = [h for h in holds if h.basis == HoldBasis.REMOVAL_ORDER and h.released_at is None and h.until >= today]
    return {
        "holds": holds,
        "tco_hold_until": max((h.until for h in lasting), default=None),
        "can_renew_tco_hold": bool(lasting) and can_renew_tco_hold(user, referral),
    }


# --- Outbound notices (DSA Art. 18) --------------------------------------------------------------


def agencies_notifiable() -> QuerySet[Organisation]:
    """The agencies a notice may go to: verified law-enforcement organisations, whose threat
    reports the platform has reason to trust with the accounts behind them."""
    return Organisation.objects.filter(kind=OrganisationKind.LAW_ENFORCEMENT, verified=True).order_by("name")


def outbound_notices_visible_to(user) -> QuerySet[OutboundNotice]:
    """Platform roles see every notice; an agency's liaisons the notices sent to it; anyone
    else none."""
    qs = OutboundNotice.objects.select_related("agency", "referral")
    if can_send_outbound_notices(user):
        return qs
    if is_agency_liaison(user):
        return qs.filter(agency_id=user.membership.organisation_id)
    return OutboundNotice.objects.none()


def outbound_notices_for_desk(user, *, limit: int = 10) -> list[OutboundNotice]:
    """The liaison's desk: notices not yet acknowledged first, then the newest."""
    pending_first = Case(
        When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(outbound_notices_visible_to(user).order_by(pending_first, "-created_at", "pk")[:limit])


def outbound_notice_referral_shown(user, notice: OutboundNotice) -> Referral | None:
    """The referral a notice names, as `user` may be shown it: platform roles always; the
    agency only when the referral is its own (another organisation's is platform-only)."""
    if notice.referral is None:
        return None
    if can_send_outbound_notices(user) or notice.referral.organisation_id == notice.agency_id:
        return notice.referral
    return None
