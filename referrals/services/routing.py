"""Routing referrals into queues (SPEC §4.1-4.5): the database side of referrals.routing.

The engine is pure; this module loads its inputs (rules, queue SLAs, corroboration,
suspended subjects) for a whole batch at once, then claims each referral with a conditional
update so a batch delivered twice — redelivery, the sweeper and the original task — routes
every referral once.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from portal.models import AuditEvent
from referrals import routing
from referrals.models import (
    Action,
    Decision,
    Queue,
    Referral,
    RoutingRule,
    Status,
    Subject,
    Target,
)
from referrals.services.timeline import timeline_event

logger = logging.getLogger(__name__)

FALLBACK_QUEUE = "general"
CORROBORATION_WINDOW = timedelta(days=30)
# Referrals left `received` this long are assumed to have lost their routing message.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 200


@dataclass(frozen=True)
class RoutingTable:
    rules: tuple[routing.Rule, ...]
    sla_minutes: dict[str, int]
    queues: dict[str, Queue]


def rule_from_model(rule: RoutingRule, queue_slug: str | None = None) -> routing.Rule:
    return routing.Rule(
        name=rule.name,
        queue=queue_slug or rule.queue.slug,
        order=rule.order,
        kinds=frozenset(rule.kinds or ()),
        categories=frozenset(rule.categories or ()),
        severities=frozenset(rule.severities or ()),
        countries=frozenset(rule.countries or ()),
        languages=frozenset(rule.languages or ()),
        submitter_kinds=frozenset(rule.submitter_kinds or ()),
        trusted_flagger=rule.trusted_flagger,
        priority_boost=rule.priority_boost,
        enabled=rule.enabled,
    )


def routing_table_load() -> RoutingTable:
    """The rules and queues as the engine wants them (two queries)."""
    queues = {q.slug: q for q in Queue.objects.all()}
    by_id = {q.pk: q.slug for q in queues.values()}
    rules = tuple(rule_from_model(r, by_id[r.queue_id]) for r in RoutingRule.objects.all())
    return RoutingTable(rules=rules, sla_minutes={s: q.sla_minutes for s, q in queues.items()}, queues=queues)


def facts_for(referral: Referral, *, corroborating_organisations: int = 0) -> routing.Facts:
    organisation = referral.organisation
    return routing.Facts(
        kind=referral.kind,
        category=referral.category,
        severity=referral.severity,
        country=referral.country or "",
        language=referral.language or "",
        submitter_kind=organisation.kind,
        trusted_flagger=bool(organisation.trusted_flagger),
        corroborating_organisations=corroborating_organisations,
        received_at=referral.received_at,
    )


def _subjects_by_referral(seqs: Iterable[int]) -> dict[int, set]:
    subjects: dict[int, set] = defaultdict(set)
    for seq, subject_id in Target.objects.filter(referral_id__in=list(seqs), subject__isnull=False).values_list(
        "referral_id", "subject_id"
    ):
        subjects[seq].add(subject_id)
    return subjects


def corroboration_counts(referrals: list[Referral], subjects: dict[int, set]) -> dict[int, int]:
    """For each referral, how many *other* organisations referred one of its subjects within
    the 30 days before its receipt (one query for the batch; the engine applies the cap)."""
    all_subjects = set().union(*subjects.values()) if subjects else set()
    if not all_subjects:
        return {r.seq: 0 for r in referrals}
    earliest = min(r.received_at for r in referrals) - CORROBORATION_WINDOW
    latest = max(r.received_at for r in referrals)
    # Every referral received since `earliest` has a number at least this one, so the
    # (subject, referral) index reads only the window's targets: a "hyper" account named by
    # tens of thousands of referrals over the years costs a month of them, not all.
    first_seq = Referral.objects.filter(received_at__gte=earliest).aggregate(first=Min("seq"))["first"]
    if first_seq is None:
        return {r.seq: 0 for r in referrals}
    # subject → organisation → sorted receipt times: a hyper account named thousands of
    # times in the window is then checked per organisation with a bisection, not row by row
    # for each referral of the batch.
    seen: dict = defaultdict(lambda: defaultdict(list))
    rows = (
        Target.objects.filter(
            subject_id__in=all_subjects, referral_id__gte=first_seq, referral__received_at__gte=earliest
        )
        .exclude(referral__status=Status.WITHDRAWN)
        .values_list("subject_id", "referral__organisation_id", "referral__received_at")
        .distinct()
    )
    for subject_id, organisation_id, received_at in rows:
        if received_at <= latest:
            seen[subject_id][organisation_id].append(received_at)
    for by_organisation in seen.values():
        for times in by_organisation.values():
            times.sort()
    counts = {}
    for referral in referrals:
        since = referral.received_at - CORROBORATION_WINDOW
        others = {
            organisation_id
            for subject_id in subjects.get(referral.seq, ())
            for organisation_id, times in seen[subject_id].items()
            if organisation_id != referral.organisation_id
            and bisect_right(times, referral.received_at) > bisect_left(times, since)
        }
        counts[referral.seq] = len(others)
    return counts


def _suspending_decisions(subject_ids: set) -> tuple[dict, dict]:
    """Suspended subjects → the referral that suspended them, and those referrals' decisions."""
    suspended = dict(
        Subject.objects.filter(pk__in=subject_ids, suspended_at__isnull=False).values_list("pk", "suspended_by_id")
    )
    by_referral = {
        d.referral_id: d
        for d in Decision.objects.filter(
            referral_id__in={seq for seq in suspended.values() if seq}, action=Action.ACCOUNT_SUSPENDED
        ).select_related("referral")
    }
    return suspended, by_referral


def _audit_row(action: str, referral: Referral, **data) -> AuditEvent:
    return AuditEvent(
        action=action,
        object_type=referral._meta.label_lower,
        object_id=str(referral.pk),
        organisation_id=referral.organisation_id,
        data=data,
    )


def referral_route_batch(*, seqs: Iterable[int], now: datetime | None = None) -> int:
    """Route the given referrals that are still `received`; return how many this call routed.

    One transaction for the batch: a worker killed half-way commits nothing, and the
    sweeper finds the whole batch again. Each row is claimed by
    `UPDATE … WHERE status = 'received'`; a row another run claimed first updates 0 rows and
    is skipped, so nothing is written twice.
    """
    now = now or timezone.now()
    seqs = sorted(set(seqs))
    if not seqs:
        return 0
    with transaction.atomic():
        referrals = list(
            Referral.objects.filter(seq__in=seqs, status=Status.RECEIVED).select_related("organisation").order_by("seq")
        )
        if not referrals:
            return 0
        table = routing_table_load()
        subjects = _subjects_by_referral(r.seq for r in referrals)
        corroboration = corroboration_counts(referrals, subjects)
        suspended, suspending = _suspending_decisions(set().union(*subjects.values()) if subjects else set())

        events, audits, duplicates = [], [], []
        for referral in referrals:
            facts = facts_for(referral, corroborating_organisations=corroboration[referral.seq])
            decision = routing.route(facts, table.rules, table.sla_minutes, fallback=FALLBACK_QUEUE)
            queue = table.queues[decision.queue]
            own_subjects = subjects.get(referral.seq, set())
            earlier = _earlier_decision(own_subjects, suspended, suspending)
            is_duplicate = earlier is not None and routing.is_duplicate(
                referral.kind, [s in suspended for s in own_subjects]
            )
            fields = {
                "queue": queue,
                "priority": decision.priority,
                "due_at": decision.due_at,
                "routing_reasons": list(decision.reasons),
                "routed_at": now,
            }
            if is_duplicate:
                fields.update(status=Status.DUPLICATE, closed_at=now, related_id=earlier.referral_id)
            else:
                fields.update(status=Status.ROUTED)
            claimed = Referral.objects.filter(seq=referral.seq, status=Status.RECEIVED).update(**fields)
            if claimed != 1:
                continue  # another run routed it first
            for name, value in fields.items():
                setattr(referral, name, value)
            if is_duplicate:
                message = (
                    f"Closed as a duplicate: every account it names was already suspended by the decision "
                    f"on {earlier.referral.reference} ({earlier.decided_at:%Y-%m-%d})."
                )
                events.append(
                    timeline_event(
                        referral,
                        "duplicate",
                        message=message,
                        earlier=earlier.referral.reference,
                        queue=queue.slug,
                    )
                )
                audits.append(_audit_row("referral.duplicate", referral, earlier=earlier.referral.reference))
                duplicates.append(referral)
            else:
                events.append(
                    timeline_event(
                        referral,
                        "routed",
                        message="Routed for review.",
                        queue=queue.slug,
                        priority=decision.priority,
                        rule=decision.rule_name,
                    )
                )
                audits.append(_audit_row("referral.route", referral, queue=queue.slug, priority=decision.priority))
        from referrals.models import TimelineEvent

        TimelineEvent.objects.bulk_create(events)
        AuditEvent.objects.bulk_create(audits)
        if duplicates:
            from referrals.services.notify import referral_notify_status

            for referral in duplicates:
                referral_notify_status(referral)
    logger.debug("Routed %d of %d referrals (%d duplicates)", len(events), len(seqs), len(duplicates))
    return len(events)


def _earlier_decision(subject_ids: set, suspended: dict, suspending: dict) -> Decision | None:
    """The most recent suspension decision among the referral's subjects, if any."""
    decisions = [suspending[suspended[s]] for s in subject_ids if suspended.get(s) in suspending]
    return max(decisions, key=lambda d: d.decided_at) if decisions else None


def referrals_sweep_received(*, now: datetime | None = None, older_than: timedelta = SWEEP_AFTER) -> int:
    """Re-enqueue routing for referrals left `received` (lost message, broker outage, dead
    worker); return how many were enqueued. Safe to run alongside the original tasks."""
    from portal.queueing import enqueue
    from referrals.tasks import route_referrals

    now = now or timezone.now()
    seqs = list(
        Referral.objects.filter(status=Status.RECEIVED, received_at__lt=now - older_than)
        .order_by("received_at")
        .values_list("seq", flat=True)[:50_000]
    )
    for start in range(0, len(seqs), SWEEP_BATCH):
        enqueue(route_referrals, seqs[start : start + SWEEP_BATCH])
    if seqs:
        logger.info("Sweeper re-enqueued %d received referrals", len(seqs))
    return len(seqs)
