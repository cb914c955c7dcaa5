"""Reads for the liaison's desk (SPEC §5): the agency's requests, its figures, the feedback
on a removal order. Everything starts from `referrals_visible_to`, so a liaison sees only
its own agency's requests and the figures count nothing else.

"On time" and "minutes to decision" use the same definitions as the transparency report
(`portal.transparency.figures.removal_order_compliance`, `referrals.clock`), so the desk,
the feedback document and the public figures agree.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from dashboards.transparency.figures import DECIDED, removal_order_compliance, time_to_decision
from referrals.engine import clock, legal
from referrals.models import LAW_ENFORCEMENT_KINDS, OPEN_STATUSES, Action, Kind, Referral
from referrals.selectors import referrals_visible_to

# Outcomes of a removal order that mean the content is no longer reachable.
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
    """For a decided removal order: whether it met its 60 minutes and the sentence saying so."""
    decision = getattr(referral, "decision", None)
    if referral.kind != Kind.REMOVAL_ORDER or decision is None or referral.decided_at is None:
        return None
    on_time = decision.on_time
    if on_time is None:
        on_time = clock.clock_of(referral).met_deadline()
    if not on_time:
        text = "Decided after the 60-minute deadline"
    elif decision.action == Action.CONTENT_REMOVED:
        text = "Removed within 60 minutes"
    else:
        text = "Decided within 60 minutes"
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
        "legal_grounds": [{"ground": g, "label": legal.GROUND_LABELS.get(g, g)} for g in referral.legal_grounds],
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
                "label": legal.NON_COMPLIANCE_LABELS.get(reason, reason),
                "explanation": legal.NON_COMPLIANCE_EXPLANATIONS.get(reason, ""),
            }
            if reason
            else None
        ),
    }


def feedback_available(referral: Referral) -> bool:
    return (
        referral.kind == Kind.REMOVAL_ORDER
        and referral.decided_at is not None
        and getattr(referral, "decision", None) is not None
    )
