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

from django.db import connection, transaction
from django.db.models import Min, Model
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
from referrals.services.timeline import timeline_add_many, timeline_event
from referrals.surfacing.services.boosts import routing_boosts
from referrals.timeline_text import TimelineText

logger = logging.getLogger(__name__)

FALLBACK_QUEUE = "general"
CORROBORATION_WINDOW = timedelta(days=30)
# Referrals left `received` this long are assumed to have lost their routing message.
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 200


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
        # The platform's own signals are not another organisation's word (SPEC §14).
        .exclude(referral__kind=Kind.SIGNAL)
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


def referral_route_batch(*, seqs: Iterable[int], now: datetime | None = None) -> int:
    """Route the given referrals that are still `received`; return how many this call routed.

    One transaction for the batch: a worker killed half-way commits nothing, and the
    sweeper finds the whole batch again. The batch is read with its rows locked in number
    order (two overlapping batches wait for each other instead of deadlocking), and written
    by one `UPDATE … WHERE status = 'received' RETURNING seq`: a row another run routed
    first is not returned, so it gets no second timeline entry, audit entry or notice.
    """
    now = now or timezone.now()
    seqs = sorted(set(seqs))
    if not seqs:
        return 0
    with transaction.atomic():
        referrals = list(
            Referral.objects.filter(seq__in=seqs, status=Status.RECEIVED)
            .select_related("organisation")
            .select_for_update(of=("self",))
            .order_by("seq")
        )
        if not referrals:
            return 0
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
    logger.debug("Routed %d of %d referrals (%d duplicates)", len(events), len(seqs), len(duplicates))
    return len(events)


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


# The columns routing writes, in the order of the claim's VALUES rows.
CLAIM_COLUMNS = (
    "status",
    "queue",
    "priority",
    "due_at",
    "routing_reasons",
    "routed_at",
    "closed_at",
    "related",
    "incident",
)
CLAIM_CHUNK = 2_000  # rows per statement: 11 parameters each (the seq and the columns) stay under every backend's limit


def referrals_claim_routed(*, changes: dict[int, dict], now: datetime) -> set[int]:
    """Write each referral's routing (`{seq: {field: value}}`, fields of CLAIM_COLUMNS) if it
    is still `received`, and return the numbers written.

    One `UPDATE … FROM (VALUES …) WHERE status = 'received' RETURNING seq` per 2,000 rows on
    PostgreSQL and SQLite ≥ 3.35, instead of an UPDATE per row: the per-row condition is the
    same, so the returned numbers are exactly the referrals this call routed.
    """
    if not _updates_from_values():
        return {seq for seq, fields in changes.items() if _claim_one(seq, fields, now)}
    items = sorted(changes.items())
    claimed: set[int] = set()
    for start in range(0, len(items), CLAIM_CHUNK):
        claimed.update(_claim_many(items[start : start + CLAIM_CHUNK], now))
    return claimed


def _updates_from_values() -> bool:
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)  # UPDATE … FROM (3.33) and RETURNING (3.35)
    return False


def _claim_one(seq: int, fields: dict, now: datetime) -> bool:
    return Referral.objects.filter(seq=seq, status=Status.RECEIVED).update(**fields, updated_at=now) == 1


def _claim_many(items: list[tuple[int, dict]], now: datetime) -> list[int]:
    meta = Referral._meta
    q = connection.ops.quote_name
    table = q(meta.db_table)
    model_fields = [meta.get_field(name) for name in ("seq", *CLAIM_COLUMNS)]
    # PostgreSQL types a VALUES list from its first row, and a column of NULLs would be text.
    if connection.vendor == "postgresql":
        placeholder = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in model_fields) + ")"
    else:
        placeholder = "(" + ", ".join("%s" for _ in model_fields) + ")"
    params: list = []
    for seq, fields in items:
        values = {"seq": seq, "closed_at": None, "related": None, "incident": None, **fields}
        for name in ("related", "incident"):
            if f"{name}_id" in values:
                values[name] = values.pop(f"{name}_id")
        for field in model_fields:
            value = values[field.name]
            if isinstance(value, Model):
                value = value.pk
            params.append(field.get_db_prep_save(value, connection))
    columns = ", ".join(q(f.column) for f in model_fields)
    # closed_at and related are written only for duplicates, incident only for referrals
    # matching one; NULL keeps what the row has.
    assignments = ", ".join(
        f"{q(f.column)} = COALESCE(v.{q(f.column)}, {table}.{q(f.column)})"
        if f.name in ("closed_at", "related", "incident")
        else f"{q(f.column)} = v.{q(f.column)}"
        for f in model_fields[1:]
    )
    updated_at = meta.get_field("updated_at")
    sql = (
        f"WITH v ({columns}) AS (VALUES {', '.join([placeholder] * len(items))}) "  # noqa: S608 (quoted names)
        f"UPDATE {table} SET {assignments}, {q(updated_at.column)} = %s "
        f"FROM v WHERE {table}.{q('seq')} = v.{q('seq')} AND {table}.{q('status')} = %s "
        f"RETURNING {table}.{q('seq')}"
    )
    params += [updated_at.get_db_prep_save(now, connection), Status.RECEIVED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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
