"""Routing referrals into queues (SPEC §4.1-4.5): the database side of referrals.routing.

The engine is pure; this module loads its inputs (rules, queue SLAs, corroboration,
suspended subjects, active incidents) for a whole batch at once, then claims each referral
with a conditional update of the whole batch (one statement) so a batch delivered twice —
redelivery, the sweeper and the original task — routes every referral once.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal.audit import audit_entry, audit_many
from portal.models import AuditEvent
from referrals.crisis.services.surge import surge_load
from referrals.engine import normalise, routing
from referrals.law_enforcement.services.paging import referrals_page
from referrals.models import (
    Action,
    Decision,
    Kind,
    Queue,
    Referral,
    Status,
    Subject,
    Target,
    TimelineEvent,
)
from referrals.review.selectors import routing_table_load
from referrals.review.services import neutral
from referrals.review.services.routing_claim import referrals_claim_routed
from referrals.services.timeline import timeline_add_many, timeline_event
from referrals.surfacing.services.boosts import routing_boosts
from referrals.timeline_text import TimelineText

logger = logging.getLogger(__name__)

FALLBACK_QUEUE = "general"
CORROBORATION_WINDOW = timedelta(days=30)
# Referrals left `received` this long are assumed to have lost their routing message.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 200
# A routing task takes its own referrals and others waiting, up to this many in one batch.
DRAIN_BATCH = 500


def facts_for(
    referral: Referral,
    *,
    corroborating_organisations: int = 0,
    boosts: tuple[routing.Boost, ...] = (),
    incidents: tuple[routing.IncidentFacts, ...] = (),
    targets: tuple[normalise.Target, ...] = (),
) -> routing.Facts:
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
        boosts=boosts,
        explanation=referral.explanation if incidents else "",
        targets=targets,
        incidents=incidents,
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
    # `seq + 0`: over a plain `seq` PostgreSQL walks the primary key from the oldest referral
    # until it meets the window (1.3 s at a million); this reads the window from its
    # received_at index instead (60 ms).
    first_seq = Referral.objects.filter(received_at__gte=earliest).aggregate(first=Min(F("seq") + 0))["first"]
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
        # The platform's own signals are not another organisation's word (SPEC §14).
        .exclude(referral__kind=Kind.SIGNAL)
        .values_list("subject_id", "referral__organisation_id", "referral__received_at")
        .distinct()
    )
    organisations = {r.organisation_id for r in referrals}
    if len(organisations) == 1:
        # A batch of one organisation (a bulk import's) counts only the others: its own
        # filings, thousands for an account it names daily, need not be read at all.
        rows = rows.exclude(referral__organisation_id__in=organisations)
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


def referral_route_batch(*, seqs: Iterable[int], now: datetime | None = None, drain: int = 0) -> int:
    """Route the given referrals that are still `received`; return how many this call routed.

    One transaction for the batch: a worker killed half-way commits nothing, and the
    sweeper finds the whole batch again. Rows are written by one
    `UPDATE … WHERE status = 'received' RETURNING seq`: a row another run routed first is
    not returned, so it gets no second timeline entry, audit entry or notice.

    Without `drain` (services, the tests) the rows are locked in number order, so two
    overlapping batches wait for each other instead of deadlocking. With `drain` (the
    routing task) the batch also takes the oldest other referrals waiting in `received`, up
    to `drain` in all, even when its own were routed already: tasks published in a burst
    (one per API filing) then route in batches of `drain`, and once none is waiting the rest
    of the burst costs a query or two each. Every lock then skips rows another run holds, so
    two routing workers take disjoint batches instead of queueing behind one another; the
    given referrals skipped that way are locked again afterwards, waiting this time, and
    routed if the other run left them `received` (it rolled back).
    """
    now = now or timezone.now()
    seqs = sorted(set(seqs))
    if not seqs:
        return 0
    if not drain:
        return _route_locked(seqs, now=now)[0]
    waiting = list(Referral.objects.filter(seq__in=seqs, status=Status.RECEIVED).values_list("seq", flat=True))
    routed, skipped = _route_locked(waiting, now=now, drain=drain)
    if skipped:
        routed += _route_locked(sorted(skipped), now=now)[0]
    return routed


def _batch(seqs: list[int], *, drain: int) -> tuple[list[Referral], set[int]]:
    """Lock the given referrals still `received` (and, with `drain`, others waiting): the
    referrals locked, and the given ones not locked because another run holds them."""
    rows = Referral.objects.filter(status=Status.RECEIVED).select_related("organisation")
    if not drain:
        return list(rows.filter(seq__in=seqs).select_for_update(of=("self",)).order_by("seq")), set()
    referrals = []
    if seqs:
        referrals = list(rows.filter(seq__in=seqs).select_for_update(of=("self",), skip_locked=True).order_by("seq"))
    skipped = set(seqs) - {r.seq for r in referrals}
    room = drain - len(referrals)
    if room > 0:
        # The oldest waiting first, from the sweeper's partial index on received rows.
        referrals += (
            rows.exclude(seq__in=seqs).select_for_update(of=("self",), skip_locked=True).order_by("received_at")[:room]
        )
        referrals.sort(key=lambda r: r.seq)
    return referrals, skipped


def _route_locked(seqs: list[int], *, now: datetime, drain: int = 0) -> tuple[int, set[int]]:
    with transaction.atomic():
        referrals, skipped = _batch(seqs, drain=drain)
        if not referrals:
            return 0, skipped
        table = routing_table_load()
        subjects = _subjects_by_referral(r.seq for r in referrals)
        corroboration = corroboration_counts(referrals, subjects)
        suspended, suspending = _suspending_decisions(set().union(*subjects.values()) if subjects else set())
        boosts = routing_boosts(referrals, subjects)  # look-alikes, near-duplicate media (SPEC §14)
        surge = surge_load(referrals)  # the active incidents (SPEC §18): one query when there is none

        planned = []
        for referral in referrals:
            facts = facts_for(
                referral,
                corroborating_organisations=corroboration[referral.seq],
                boosts=boosts.get(referral.seq, ()),
                incidents=surge.incidents_for(referral.seq),
                targets=surge.targets_for(referral.seq),
            )
            decision = routing.route(facts, table.rules, table.sla_minutes, fallback=FALLBACK_QUEUE)
            own_subjects = subjects.get(referral.seq, set())
            earlier = _earlier_decision(own_subjects, suspended, suspending)
            if earlier is not None and not routing.is_duplicate(referral.kind, [s in suspended for s in own_subjects]):
                earlier = None
            incident = surge.incident_id(decision.incident)
            planned.append(_Planned(referral, decision, table.queues[decision.queue], earlier, now, incident))

        claimed = referrals_claim_routed(changes={plan.referral.seq: plan.fields for plan in planned}, now=now)
        events, audits, duplicates = [], [], []
        for plan in planned:
            if plan.referral.seq not in claimed:
                continue  # another run routed it first
            referral = plan.referral
            for name, value in plan.fields.items():
                setattr(referral, name, value)
            events.append(plan.timeline_event())
            audits.append(plan.audit_row())
            if plan.earlier is not None:
                duplicates.append(plan)
        timeline_add_many(events)
        audit_many(audits)
        # An emergency request or a removal order pages its queue and the leads (SPEC §17).
        referrals_page(
            referrals=[p.referral for p in planned if p.referral.seq in claimed and p.earlier is None], now=now
        )
        if duplicates:
            from referrals.services.notify import referral_notify_status

            for plan in duplicates:
                referral_notify_status(plan.referral, message=plan.submitter_message)
    logger.debug("Routed %d of %d referrals (%d duplicates)", len(events), len(referrals), len(duplicates))
    return len(events), skipped


@dataclass
class _Planned:
    """What the engine decided for one referral of a batch, before the claim."""

    referral: Referral
    decision: routing.Decision
    queue: Queue
    earlier: Decision | None  # the suspension that makes it a duplicate, if it is one
    now: datetime
    incident_id: int | None = None  # the active incident it matched (SPEC §18)

    @cached_property
    def fields(self) -> dict:
        now = self.now
        fields = {
            "queue": self.queue,
            "priority": self.decision.priority,
            "due_at": self.decision.due_at,
            "routing_reasons": list(self.decision.reasons),
            "routed_at": now,
        }
        if self.incident_id is not None:
            fields["incident_id"] = self.incident_id
        if self.earlier is not None:
            fields.update(status=Status.DUPLICATE, closed_at=now, related_id=self.earlier.referral_id)
        else:
            fields.update(status=Status.ROUTED)
        return fields

    @property
    def platform_message(self) -> TimelineText:
        earlier = self.earlier
        return TimelineText(
            gettext_noop(
                "Closed as a duplicate: every account it names was already suspended by the decision "
                "on %(reference)s (%(date)s)."
            ),
            {"reference": earlier.referral.reference, "date": f"{earlier.decided_at:%Y-%m-%d}"},
        )

    @property
    def submitter_message(self) -> TimelineText:
        """Another organisation's earlier decision is not named to this submitter (SPEC §4.5)."""
        if self.earlier.referral.organisation_id == self.referral.organisation_id:
            return self.platform_message
        return neutral.DUPLICATE_MESSAGE

    def timeline_event(self) -> TimelineEvent:
        if self.earlier is not None:
            return timeline_event(
                self.referral,
                "duplicate",
                message=self.submitter_message,
                platform_message=self.platform_message,
                earlier=self.earlier.referral.reference,
                queue=self.queue.slug,
            )
        return timeline_event(
            self.referral,
            "routed",
            message=TimelineText(gettext_noop("Routed for review.")),
            queue=self.queue.slug,
            priority=self.decision.priority,
            rule=self.decision.rule_name,
        )

    def audit_row(self) -> AuditEvent:
        referral = self.referral
        if self.earlier is not None:
            return audit_entry(
                "referral.duplicate",
                obj=referral,
                organisation=referral.organisation,
                earlier=self.earlier.referral.reference,
            )
        return audit_entry(
            "referral.route",
            obj=referral,
            organisation=referral.organisation,
            queue=self.queue.slug,
            priority=self.decision.priority,
            **({"incident": self.decision.incident} if self.decision.incident else {}),
        )


def _earlier_decision(subject_ids: set, suspended: dict, suspending: dict) -> Decision | None:
    """The most recent suspension decision among the referral's subjects, if any."""
    decisions = [suspending[suspended[s]] for s in subject_ids if suspended.get(s) in suspending]
    return max(decisions, key=lambda d: d.decided_at) if decisions else None


def referrals_sweep_received(*, now: datetime | None = None, older_than: timedelta = SWEEP_AFTER) -> int:
    """Re-enqueue routing for referrals left `received` (lost message, broker outage, dead
    worker); return how many were enqueued. Safe to run alongside the original tasks."""
    from portal.queueing import enqueue

    now = now or timezone.now()
    seqs = list(
        Referral.objects.filter(status=Status.RECEIVED, received_at__lt=now - older_than)
        .order_by("received_at")
        .values_list("seq", flat=True)[:50_000]
    )
    for start in range(0, len(seqs), SWEEP_BATCH):
        enqueue("referrals.tasks.route_referrals", seqs[start : start + SWEEP_BATCH])
    if seqs:
        logger.info("Sweeper re-enqueued %d received referrals", len(seqs))
    return len(seqs)
