"""Redress and crisis data for the read benchmark (SPEC §16, §18), which the load generator
does not write: appeals and complaints against the load data's decisions, and a surge incident
whose queue holds part of its routed referrals.

Both are written just before their reads are measured and taken away just after, so the load
data stays as generated (its reset never meets an appeal, and no incident is left to change the
routing other sections measure). A run stopped half-way is tidied by the next: the appeals carry
a mark in their reason, and the referrals moved to the surge queue are listed in a file until
they are moved back.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from referrals.crisis.services.incidents import incident_close, incident_declare
from referrals.models import (
    Action,
    Appeal,
    AppealOutcome,
    AppealSource,
    AppealStatus,
    Decision,
    Incident,
    Queue,
    Referral,
    Status,
)
from referrals.redress.selectors import APPEAL_WINDOW
from referrals.redress.services import appeals_queue

from .cast import load_organisations
from .common import LOG_DIR

# About one decision in a hundred of the last six months is contested (at a million referrals,
# some 3,000 of those decisions): a fifth still open, a tenth complaints by the account holder.
APPEALS = 3_000
OPEN_SHARE = 0.2
COMPLAINT_SHARE = 0.1
REVERSED_SHARE = 0.15
MARK = "[benchmark] "
REASON = MARK + "The account reports on the group's attacks as a journalist; it never praises them."
STATEMENT = "Read again with the appeal: the decision stands under the policy."

# A surge of a few thousand referrals in the incident's queue, as after an attack.
SURGE = 3_000
INCIDENT_TITLE = "Benchmark surge"
MOVED = LOG_DIR / "surge_moved.json"  # seq → the queue each moved referral came from


# --- Appeals -------------------------------------------------------------------------------------


@contextmanager
def appeals(cast, *, count: int = APPEALS, seed: int = 7) -> Iterator[dict]:
    """`count` appeals and complaints on the load data's latest decisions while the block runs."""
    appeals_remove()
    try:
        yield appeals_write(cast, count=count, seed=seed)
    finally:
        appeals_remove()


def appeals_write(cast, *, count: int, seed: int) -> dict:
    """Rows as `appeal_file`, `complaint_record` and `appeal_decide` leave them (one per
    referral), written at once: the reads need the rows, not the e-mails and timelines."""
    rng = random.Random(seed)
    now = timezone.now()
    queue = appeals_queue()
    appealable = (
        Decision.objects.filter(
            referral__organisation__in=load_organisations(),
            referral__status__in=[Status.ACTIONED, Status.NO_VIOLATION],
            applied_from__isnull=True,
            decided_at__gte=now - APPEAL_WINDOW,
        )
        .exclude(action__in=[Action.DATA_PRESERVED, Action.DATA_DISCLOSED])  # nothing to contest
        .values_list("pk", flat=True)
    )
    # Spread over the six months, as appeals come in: the latest decisions alone are a few days'.
    chosen = sorted(appealable)
    chosen = sorted(rng.sample(chosen, min(count, len(chosen))))
    decisions = list(Decision.objects.filter(pk__in=chosen).select_related("referral"))
    rows = []
    for decision in decisions:
        referral = decision.referral
        # The account holder complains of a restriction; the notifier appeals any decision.
        complaint = referral.status == Status.ACTIONED and rng.random() < COMPLAINT_SHARE
        filed_at = min(now - timedelta(minutes=5), decision.decided_at + timedelta(hours=rng.uniform(1, 24 * 20)))
        open_ = rng.random() < OPEN_SHARE or now - filed_at < timedelta(hours=12)
        appeal = Appeal(
            referral=referral,
            decision=decision,
            original_action=decision.action,
            original_decided_by_id=decision.decided_by_id,
            original={"action": decision.action, "decided_at": decision.decided_at.isoformat()},
            source=AppealSource.ACCOUNT_HOLDER if complaint else AppealSource.NOTIFIER,
            reason=REASON,
            filed_by_id=None if complaint else referral.submitted_by_id,
            recorded_by=cast.lead if complaint else None,
            organisation_id=None if complaint else referral.organisation_id,
            filed_at=filed_at,
            due_at=filed_at + timedelta(minutes=queue.sla_minutes),
            queue=queue,
        )
        if not open_:
            reversed_ = rng.random() < REVERSED_SHARE
            appeal.status = AppealStatus.DECIDED
            appeal.outcome = AppealOutcome.REVERSED if reversed_ else AppealOutcome.UPHELD
            appeal.statement = STATEMENT
            appeal.decided_by = cast.lead
            appeal.decided_at = min(now, filed_at + timedelta(hours=rng.uniform(2, 24 * 6)))
        rows.append(appeal)
    with transaction.atomic():
        Appeal.objects.bulk_create(rows, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As autovacuum would after a table's first thousands of rows; without it the planner
            # takes the appeals for a handful.
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Appeal._meta.db_table)}")
    return {
        "appeals": len(rows),
        "open": sum(1 for a in rows if a.status == AppealStatus.OPEN),
        "complaints": sum(1 for a in rows if a.source == AppealSource.ACCOUNT_HOLDER),
    }


def appeals_remove() -> int:
    with transaction.atomic():
        deleted, _ = Appeal.objects.filter(reason__startswith=MARK).delete()
    if deleted and connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # Thousands of rows written and deleted by each run would otherwise pile up as dead
            # ones (autovacuum is slower than a benchmark), until the next run's list reads
            # megabytes for its few thousand appeals.
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Appeal._meta.db_table)}")
    return deleted


# --- A surge incident ----------------------------------------------------------------------------


@contextmanager
def surge(cast, reviewer, *, keep_queue: str, count: int = SURGE) -> Iterator[dict]:
    """An incident declared by the cast's lead, its queue holding the `count` latest routed load
    referrals (none from `keep_queue`, the work list measured beside it), closed at once (its
    queue is still worked; an active incident would change the routing of anyone filing
    meanwhile). `reviewer` is made a member of its queue, as a lead would."""
    surge_remove()
    incident = incident_declare(
        by=cast.lead,
        title=INCIDENT_TITLE,
        summary="A surge of propaganda after an attack, for the read benchmark.",
        level=1,
        keywords=["benchmark surge"],
    )
    incident.queue.members.add(reviewer)
    try:
        moved = _surge_fill(incident, keep_queue=keep_queue, count=count)
        incident_close(by=cast.lead, incident=incident)
        yield {"slug": incident.queue.slug, "referrals": moved}
    finally:
        surge_remove()


def _surge_fill(incident: Incident, *, keep_queue: str, count: int) -> int:
    picked = list(
        Referral.objects.filter(status=Status.ROUTED, queue__isnull=False, organisation__in=load_organisations())
        .exclude(queue__slug=keep_queue)
        .exclude(queue=incident.queue)
        .order_by("-seq")
        .values_list("seq", "queue_id")[:count]
    )
    MOVED.parent.mkdir(parents=True, exist_ok=True)
    MOVED.write_text(json.dumps({str(seq): queue for seq, queue in picked}))
    with transaction.atomic():
        Referral.objects.filter(seq__in=[seq for seq, _ in picked]).update(queue=incident.queue, incident=incident)
    return len(picked)


def surge_remove() -> None:
    """Move the surge's referrals back to their queues, then delete the incident and its queue."""
    with transaction.atomic():
        if MOVED.exists():
            by_queue: dict[int, list[int]] = {}
            for seq, queue in json.loads(MOVED.read_text()).items():
                by_queue.setdefault(queue, []).append(int(seq))
            for queue, seqs in by_queue.items():
                Referral.objects.filter(seq__in=seqs).update(queue_id=queue, incident=None)
        for incident in Incident.objects.filter(title=INCIDENT_TITLE).select_related("queue"):
            Referral.objects.filter(incident=incident).update(incident=None)
            queue = incident.queue
            incident.delete()
            Queue.objects.filter(pk=queue.pk).delete()
    MOVED.unlink(missing_ok=True)
