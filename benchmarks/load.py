"""Fictitious load data for the benchmark: organisations, people and N referrals over two years.

The shape follows the news report behind the portal: most referrals are NGO notices, a few
"hyper" accounts are named again and again (a Zipf-like head), a long tail of accounts is
named once, and most referrals older than a month are decided. Everything generated belongs
to organisations whose slug starts with `load-` and to subjects whose account starts with
`load_`, so `--reset` can delete it without touching anything else.

Routed referrals get their queue, priority, due time and reasons from the pure routing
engine (`referrals.engine.routing.route`), with the rules of the database.
"""

# SQL here is built from model metadata (table and column names), never from input;
# values are always passed as parameters.
# ruff: noqa: S608

from __future__ import annotations

import itertools
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from benchmarks.cast import (
    ACCOUNT_PREFIX,
    ACTIONS,
    BIG_SHARE,
    CATEGORY_WEIGHTS,
    EVIDENCE_TYPES,
    EXPLANATIONS,
    HYPER_SUBJECTS,
    KIND_WEIGHTS,
    LEGAL_ACTION,
    LOCALES,
    PLATFORMS,
    SEVERITY_WEIGHTS,
    SPAN,
    STATUS_BY_AGE,
    UNROUTED_AGE,
    ensure_cast,
    picker,
)
from dashboards.transparency.rollups import rollups_rebuild
from referrals.engine import routing
from referrals.engine.folding import fold_handle
from referrals.models import (
    LEGAL_KINDS,
    Action,
    Decision,
    Evidence,
    Ground,
    Kind,
    Referral,
    Status,
    Subject,
    Target,
    TimelineEvent,
    subject_counts_recount,
)
from referrals.models.surfacing import subject_suspended_links_shift
from referrals.review.selectors import routing_table_load
from referrals.review.services.routing import FALLBACK_QUEUE

from .load_surfacing import links_add
from .rows import RowWriter


@dataclass
class _Pools:
    hyper: list[dict]
    amplifiers: list[dict]
    pick_hyper: Callable[[], int]
    suspension: dict = field(default_factory=dict)  # pooled subject id → (decided_at, seq)


class Generator:
    def __init__(self, *, referrals: int, seed: int = 1, batch: int = 5000, log: Callable[[str], None] = print):
        self.n = referrals
        self.batch = max(1, batch)
        self.rng = random.Random(seed)
        self.log = log
        self.writer = RowWriter()
        self.now = timezone.now()
        self.start = self.now - SPAN

    # --- set-up -------------------------------------------------------------------------

    def _pools(self) -> _Pools:
        rng = self.rng
        pick_platform = picker(PLATFORMS, rng)
        tag = uuid.uuid4().hex[:6]  # a second run beside the first names new pooled accounts

        def subject(account):
            return subject_row(pick_platform(), account, self.start)

        hyper = [subject(f"{ACCOUNT_PREFIX}hyper_{tag}_{k}") for k in range(1, HYPER_SUBJECTS + 1)]
        amplifiers = [subject(f"{ACCOUNT_PREFIX}amp_{tag}_{k}") for k in range(1, max(10, self.n // 25) + 1)]
        # Zipf-like: the k-th hyper account is named about 1/k^1.1 as often as the first.
        weights = {k: 1 / (k + 1) ** 1.1 for k in range(HYPER_SUBJECTS)}
        return _Pools(hyper, amplifiers, picker(weights, rng))

    def _receipt_times(self) -> list[datetime]:
        """N receipt times over two years, oldest first, growing towards now."""
        span = SPAN.total_seconds()
        return [self.start + timedelta(seconds=span * ((i + self.rng.random()) / self.n) ** 0.8) for i in range(self.n)]

    # --- the run ----------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.monotonic()
        cast = ensure_cast()
        table = routing_table_load()
        queue_ids = {slug: q.pk for slug, q in table.queues.items()}
        pools = self._pools()
        with transaction.atomic():
            self.writer.write(Subject, pools.hyper + pools.amplifiers)
        big_count = min(BIG_SHARE, self.n // 10)
        big = set(self.rng.sample(range(self.n), big_count))
        first_seq = self.writer.reserve_keys(Referral, self.n)
        times = self._receipt_times()
        self._routes: dict = {}
        counts = {
            "referrals": 0,
            "targets": 0,
            "events": 0,
            "decisions": 0,
            "evidence": 0,
            "subjects": 0,
            "links": 0,
            "subject_links": 0,
        }
        self._linked: set = set()
        for offset in range(0, self.n, self.batch):
            indexes = range(offset, min(offset + self.batch, self.n))
            rows = self._batch(indexes, first_seq, times, big, cast, table, queue_ids, pools)
            with transaction.atomic():
                self.writer.fast_session()
                for model, key in (
                    (Subject, "subjects"),
                    (Referral, "referrals"),
                    (Target, "targets"),
                    (Subject.linked.through, "links"),
                    (Decision, "decisions"),
                    (Evidence, "evidence"),
                    (TimelineEvent, "events"),
                ):
                    counts[key] += self.writer.write(model, rows[key])
                # Intake keeps Subject.referral_count and the co-referral weights; this writer
                # bypasses it, so add the batch's.
                block = {"seq_from": first_seq + indexes.start, "seq_to": first_seq + indexes.stop - 1}
                subject_counts_recount(**block)
                counts["subject_links"] += links_add(**block)
            done = indexes.stop
            rate = done / max(time.monotonic() - started, 1e-6)
            self.log(f"  {done:>10,} / {self.n:,} referrals ({rate:,.0f}/s)")
        self._suspend_pooled(pools)
        counts["seconds"] = round(time.monotonic() - started, 1)
        # The rows went in with the triggers off (fast_session), so nothing marked their days:
        # the transparency roll-ups are recomputed from them.
        rebuilt = time.monotonic()
        counts["rollup_days"] = rollups_rebuild()
        counts["rollup_seconds"] = round(time.monotonic() - rebuilt, 1)
        counts["big_organisation_referrals"] = big_count
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # VACUUM too (outside a transaction only): it sets the visibility map, so counts such
                # as a hyper account's links are index-only scans, as after autovacuum in production.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        return counts

    def _suspend_pooled(self, pools: _Pools) -> None:
        rows = [(at, seq, str(subject_id)) for subject_id, (at, seq) in pools.suspension.items()]
        if connection.vendor != "postgresql":
            rows = [(connection.ops.adapt_datetimefield_value(at), seq, sid.replace("-", "")) for at, seq, sid in rows]
        table = connection.ops.quote_name(Subject._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            sql = f"UPDATE {table} SET suspended_at = %s, suspended_by_id = %s WHERE id = %s"
            cursor.executemany(sql, rows)
            # New accounts of this run, none suspended before: each counts once among the
            # suspended links of every account linked to it.
            subject_suspended_links_shift(list(pools.suspension), 1)

    # --- one batch ------------------------------------------------------------------------

    def _route(self, table, kind, category, severity, org, corroboration):
        key = (kind, category, severity, org.kind, org.trusted_flagger, corroboration)
        if key not in self._routes:
            facts = routing.Facts(
                kind=kind,
                category=category,
                severity=severity,
                country="",
                language="",
                submitter_kind=org.kind,
                trusted_flagger=org.trusted_flagger,
                corroborating_organisations=corroboration,
                received_at=self.start,
            )
            decision = routing.route(facts, table.rules, table.sla_minutes, fallback=FALLBACK_QUEUE)
            self._routes[key] = (decision, decision.due_at - self.start)
        return self._routes[key]

    def _batch(self, indexes, first_seq, times, big, cast, table, queue_ids, pools) -> dict:
        rng = self.rng
        if not hasattr(self, "_pickers"):
            self._pickers = {
                "kind": picker(KIND_WEIGHTS, rng),
                "category": picker(CATEGORY_WEIGHTS, rng),
                "severity": picker(SEVERITY_WEIGHTS, rng),
                "locale": picker(LOCALES, rng),
                "platform": picker(PLATFORMS, rng),
                "action": picker(ACTIONS, rng),
                "status": [(age, picker(weights, rng)) for age, weights in STATUS_BY_AGE],
            }
        p = self._pickers
        out = {k: [] for k in ("subjects", "referrals", "targets", "links", "decisions", "evidence", "events")}
        for i in indexes:
            seq = first_seq + i
            received_at = times[i]
            age = self.now - received_at
            if i in big:
                org, kind = cast.big, Kind.NOTICE
            else:
                kind = p["kind"]()
                org = rng.choice(cast.ngos if kind == Kind.NOTICE else cast.agencies)
            submitter = cast.submitters[org.pk]
            category = p["category"]()
            severity = "imminent" if kind == Kind.EMERGENCY_REQUEST else p["severity"]()
            language, country = p["locale"]()
            if age < UNROUTED_AGE:
                status = Status.RECEIVED
            else:
                status = next(pick for limit, pick in p["status"] if age < limit)()
                if status == Status.DUPLICATE and kind in LEGAL_KINDS:
                    status = Status.ACTIONED
            subjects = self._targets(seq, received_at, out, pools)
            corroboration = 0
            if any(s["pooled"] for s in subjects):
                corroboration = min(4, int(rng.expovariate(1.2)))
            row = self._referral_row(seq, kind, category, severity, status, language, country, org, submitter)
            row["received_at"] = received_at
            out["referrals"].append(row)
            out["events"].append(self._event(seq, received_at, "received", submitter.pk, "Received."))
            if status == Status.RECEIVED:
                continue
            decision, due_after = self._route(table, kind, category, severity, org, corroboration)
            routed_at = received_at + timedelta(seconds=0.2 + rng.random() * 3)
            row.update(
                queue_id=queue_ids[decision.queue],
                priority=decision.priority,
                due_at=received_at + due_after,
                routing_reasons=list(decision.reasons),
                routed_at=routed_at,
            )
            if status == Status.DUPLICATE:
                earlier = [pools.suspension[s["id"]][1] for s in subjects if s["id"] in pools.suspension]
                row.update(closed_at=routed_at, related_id=min(earlier) if earlier else None)
                out["events"].append(self._event(seq, routed_at, "duplicate", None, "Closed as a duplicate."))
                continue
            out["events"].append(self._event(seq, routed_at, "routed", None, "Routed for review."))
            if status == Status.ROUTED:
                row["breached"] = row["due_at"] < self.now
                continue
            if status == Status.WITHDRAWN:
                at = routed_at + timedelta(minutes=rng.uniform(1, 600))
                row["closed_at"] = at
                out["events"].append(self._event(seq, at, "withdrawn", submitter.pk, "Withdrawn."))
                continue
            reviewer = rng.choice(cast.reviewers)
            claimed_at = routed_at + (row["due_at"] - routed_at) * rng.uniform(0.05, 0.6)
            row["assignee_id"] = reviewer.pk
            out["events"].append(self._event(seq, claimed_at, "claimed", reviewer.pk, "A reviewer is looking at it."))
            if status == Status.IN_REVIEW:
                row["breached"] = row["due_at"] < self.now
                continue
            if status == Status.NEEDS_INFO:
                row["paused_at"] = min(self.now, claimed_at + timedelta(minutes=5))
                out["events"].append(self._event(seq, row["paused_at"], "info_requested", reviewer.pk, "Question."))
                continue
            self._decide(row, seq, kind, status, reviewer, claimed_at, subjects, pools, out)
            if rng.random() < 0.25:
                self._evidence(row, seq, submitter, out)
        return out

    def _referral_row(self, seq, kind, category, severity, status, language, country, org, submitter) -> dict:
        le = kind != Kind.NOTICE
        return {
            "seq": seq,
            "id": uuid.uuid4(),
            "kind": kind,
            "category": category,
            "severity": severity,
            "status": status,
            "explanation": self.rng.choice(EXPLANATIONS),
            "language": language,
            "country": country,
            "good_faith_confirmed": not le,
            "authority_reference": f"CASE-{seq}" if le else "",
            "legal_basis": "Counter-Terrorism Act, s.12" if kind in LEGAL_KINDS else "",
            "issuing_authority": "National Counter-Terrorism Authority" if kind == Kind.REMOVAL_ORDER else "",
            "legal_grounds": [],
            "preserve_until": (self.now + timedelta(days=60)).date() if kind == Kind.PRESERVATION_REQUEST else None,
            "renewal_of_id": None,
            "organisation_id": org.pk,
            "submitted_by_id": submitter.pk,
            "received_at": None,
            "routed_at": None,
            "due_at": None,
            "paused_at": None,
            "paused_seconds": 0,
            "decided_at": None,
            "closed_at": None,
            "breached": False,
            "queue_id": None,
            "priority": 0,
            "assignee_id": None,
            "routing_reasons": [],
            "related_id": None,
            "detector": "",
            "signal_reasons": [],
            "threat_description": "",
            "persons_at_risk": "",
            "requested_data": [],
            "attestation": False,
            "paged_at": None,
            "repaged_at": None,
            "surfaced_subject_id": None,
            "incident_id": None,
            "updated_at": self.now,
        }

    def _event(self, seq, at, type_, actor_id, message) -> dict:
        return {"referral_id": seq, "at": at, "type": type_, "actor_id": actor_id, "message": message, "data": {}}

    def _targets(self, seq, received_at, out, pools) -> list[dict]:
        rng = self.rng
        r = rng.random()
        count = 1 if r < 0.72 else 2 if r < 0.90 else 3 if r < 0.97 else rng.randint(4, 6)
        chosen: dict = {}
        for position in range(count):
            r = rng.random()
            if r < 0.12:
                subject, pooled = pools.hyper[pools.pick_hyper()], True
            elif r < 0.35:
                subject, pooled = rng.choice(pools.amplifiers), True
            else:
                subject = subject_row(self._pickers["platform"](), f"{ACCOUNT_PREFIX}{seq}_{position}", received_at)
                out["subjects"].append(subject)
                pooled = False
            if subject["id"] in chosen:
                continue
            chosen[subject["id"]] = {"id": subject["id"], "row": subject, "pooled": pooled}
            content_id = str(rng.randrange(10**15, 10**16))
            out["targets"].append(
                {
                    "referral_id": seq,
                    "subject_id": subject["id"],
                    "position": position,
                    "url": _url(subject["platform"], subject["account"], content_id),
                    "platform": subject["platform"],
                    "account": subject["account"],
                    "content_id": content_id,
                    "posted_at": None,
                }
            )
        ids = list(chosen)
        for a, b in itertools.permutations(ids, 2):
            if (a, b) not in self._linked:
                self._linked.add((a, b))
                out["links"].append({"from_subject_id": a, "to_subject_id": b})
        return list(chosen.values())

    def _decide(self, row, seq, kind, status, reviewer, claimed_at, subjects, pools, out) -> None:
        rng = self.rng
        budget = row["due_at"] - row["received_at"]
        # Most decisions land inside the deadline; a share runs late, more for short clocks.
        on_time = rng.random() < (0.9 if budget <= timedelta(hours=1) else 0.85)
        if on_time:
            decided_at = claimed_at + (row["due_at"] - claimed_at) * rng.uniform(0.1, 0.95)
        else:
            decided_at = row["due_at"] + budget * rng.uniform(0.05, 1.5)
        decided_at = min(decided_at, self.now - timedelta(seconds=1))
        if status == Status.NO_VIOLATION:
            action = Action.NO_ACTION
        elif status == Status.REJECTED:
            action = Action.UNABLE_TO_COMPLY
        else:
            action = LEGAL_ACTION.get(kind) or self._pickers["action"]()
        row.update(decided_at=decided_at, closed_at=decided_at, breached=decided_at > row["due_at"])
        out["decisions"].append(
            {
                "referral_id": seq,
                "action": action,
                "ground": Ground.LEGAL if kind != Kind.NOTICE else Ground.TERMS,
                "policy": "Violent and hateful entities policy",
                "statement_of_reasons": "The content promotes a proscribed organisation and breaks the rules.",
                "territorial_scope": [],
                "restriction_end": None,
                "apply_to_subject": True,
                "non_compliance_reason": "",
                "decided_by_id": reviewer.pk,
                "decided_at": decided_at,
                "on_time": decided_at <= row["due_at"],
                "applied_from_id": None,
            }
        )
        out["events"].append(self._event(seq, decided_at, "decided", reviewer.pk, f"Decision: {action.label}."))
        if action == Action.ACCOUNT_SUSPENDED:
            for s in subjects:
                if s["pooled"]:
                    if s["row"] in pools.hyper:
                        continue  # the hyper accounts stay up: they are the ones named again and again
                    if s["id"] not in pools.suspension:
                        pools.suspension[s["id"]] = (decided_at, seq)
                elif s["row"]["suspended_at"] is None:
                    s["row"]["suspended_at"], s["row"]["suspended_by_id"] = decided_at, seq

    def _evidence(self, row, seq, submitter, out) -> None:
        rng = self.rng
        for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 3)):
            content_type, ext = rng.choice(EVIDENCE_TYPES)
            known = rng.random() < 0.1
            sha = f"{rng.randrange(200):064x}" if known else uuid.uuid4().hex + uuid.uuid4().hex
            closed = row["closed_at"]
            out["evidence"].append(
                {
                    "id": uuid.uuid4(),
                    "referral_id": seq,
                    "original_name": f"capture{ext}",
                    "stored_name": uuid.uuid4().hex + ext,
                    "content_type": content_type,
                    "size": int(math.exp(rng.uniform(9, 16))),
                    "sha256": sha,
                    "uploaded_by_id": submitter.pk,
                    "uploaded_at": row["received_at"],
                    "file_deleted_at": closed + timedelta(days=180)
                    if closed and self.now - closed > timedelta(days=180)
                    else None,
                    "shared_hash_id": None,
                }
            )


def subject_row(platform: str, account: str, created_at: datetime) -> dict:
    """A subject as intake creates it, its handle folded for the look-alike detector."""
    return {
        "id": uuid.uuid4(),
        "platform": platform,
        "account": account,
        "created_at": created_at,
        "suspended_at": None,
        "suspended_by_id": None,
        "referral_count": 0,  # added per batch by subject_counts_recount
        "suspended_links": 0,  # added per batch by links_add, and by _suspend_pooled
        "display_name": "",
        "folded_account": fold_handle(account),
        "folded_name": "",
    }


def _url(platform: str, account: str, content_id: str) -> str:
    if platform == "x":
        return f"https://x.com/{account}/status/{content_id}"
    if platform == "telegram":
        return f"https://t.me/{account}/{content_id}"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{account}/video/{content_id}"
    if platform == "youtube":
        return f"https://www.youtube.com/@{account}"
    return f"https://www.{platform}.com/{account}"
