"""Varied referrals over four months, and the writes that change them, for comparing the
roll-ups (`compute_figures`) with the direct computation (`compute_figures_direct`).

`spread` writes rows directly (as test_transparency_dataset does), drawn from a seeded random
generator so that every kind, category, status, queue and submitter kind occurs, with decisions
on time and late (`on_time` recorded true, false or unset), paused clocks, breaches, decisions
before receipt, ties and fractions of a minute, receipts at 00:00:00 and 23:59:59, accounts
suspended after their referral's receipt and before it. `changes`
then goes through the services people use: filing, routing (one raw `UPDATE … FROM (VALUES …)`),
claiming, deciding, withdrawing, reassigning, the deadline watch (`queryset.update()`) and an
appeal reversal.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from partners.models import Role
from referrals.intake.services.filing import referral_withdraw
from referrals.models import DECIDED_STATUSES, Action, Category, Kind, Queue, Referral, Status, Subject
from referrals.redress.services import appeal_decide
from referrals.review.services.claims import referral_reassign
from referrals.review.services.deadlines import referrals_mark_breached
from referrals.review.services.decisions import referral_decide
from referrals.review.services.routing import referral_route_batch
from tests.dashboards.test_transparency_dataset import make
from tests.factories import make_member
from tests.referrals.redress.redress_factories import NO_ACTION, STATEMENT, appealed
from tests.referrals.review_factories import DECISION, claimed, decided, received

FIRST, LAST = date(2026, 1, 1), date(2026, 4, 30)
PERIODS = [
    (FIRST, LAST),  # everything
    (date(2026, 1, 1), date(2026, 3, 31)),  # a quarter
    (date(2026, 2, 1), date(2026, 2, 28)),  # a month
    (date(2026, 2, 27), date(2026, 3, 2)),  # across a month's end
    (date(2026, 3, 15), date(2026, 3, 15)),  # one day
    (date(2025, 10, 1), date(2025, 12, 31)),  # before any referral
]
MINUTES = [0, 0.5, 17.25, 59, 60, 60, 61, 90, 119.99, 1439.9, 3000, 10_000]


def spread(organisations, *, count: int = 160, seed: int = 21) -> list[Referral]:
    rng = random.Random(seed)
    queues = sorted(Queue.objects.values_list("slug", flat=True))
    days = (LAST - FIRST).days + 1
    referrals = []
    for i in range(count):
        day = FIRST + timedelta(days=rng.randrange(days))
        at = rng.choice([time(0, 0, 0), time(23, 59, 59), time(rng.randrange(24), rng.randrange(60))])
        status = Status.values[i % len(Status.values)]
        decided_ = status in DECIDED_STATUSES
        minutes = rng.choice(MINUTES) + rng.choice([0, rng.random()])
        referral = make(
            rng.choice(organisations),
            Kind.values[i % len(Kind.values)],
            rng.choice(Category.values),
            status,
            datetime.combine(day, at, tzinfo=UTC),
            queue=None if status == Status.RECEIVED else rng.choice(queues),
            decided_after=(-5 if i % 37 == 0 else minutes) if decided_ else None,
            sla=None if status == Status.RECEIVED else rng.choice([60, 720, 1440, 4320]),
            paused=rng.choice([0, 0, 30, 600]),
            breached=rng.random() < 0.3,
            action=rng.choice(Action.values) if decided_ and i % 11 else None,
            on_time=rng.choice([True, False, None]),
        )
        if decided_ and i % 23 == 0:  # decided without a recorded time: not in the time to decision
            Referral.objects.filter(pk=referral.pk).update(decided_at=None)
        referrals.append(referral)
    for n, referral in enumerate(r for r in referrals if r.status == Status.ACTIONED):
        # A third suspended before the referral's receipt (its suspension passed on to it by a
        # reversal of an earlier one): counted only in periods starting by then.
        at = referral.decided_at if n % 3 else referral.received_at - timedelta(days=20)
        Subject.objects.create(platform="x", account=f"spread_{n}", suspended_at=at, suspended_by=referral)
    return referrals


def changes(ngo_member, lead) -> None:
    """Writes through the services over the same months (nothing refreshes the roll-ups)."""

    def on(month: int, day: int, hour: int = 10) -> datetime:
        return datetime(2026, month, day, hour, tzinfo=UTC)

    # Filed, then routed as a batch (one raw UPDATE … FROM (VALUES …)).
    filed = [received(ngo_member, accounts=(f"batch_{n}",), received_at=on(2, 3 + n)) for n in range(4)]
    referral_route_batch(seqs=[r.seq for r in filed], now=on(2, 10))
    # Claimed and decided, on time and late.
    referral = claimed(lead, ngo_member, accounts=("decided_a",), received_at=on(3, 1))
    referral_decide(by=lead, referral=referral, now=on(3, 1, 11), **DECISION)
    decided(lead, ngo_member, accounts=("decided_b",), received_at=on(3, 2), now=on(3, 9))
    # Withdrawn, and moved to another queue.
    referral_withdraw(referral=filed[0], user=ngo_member)
    filed[1].refresh_from_db()
    other = Queue.objects.exclude(pk=filed[1].queue_id).order_by("slug").first()
    referral_reassign(by=lead, referral=filed[1], queue=other)
    # The deadline watch breaches every running referral past its deadline (queryset.update()).
    referrals_mark_breached(now=datetime(2026, 6, 1, tzinfo=UTC))
    # An appeal reversed: the no-action decision is deleted and the referral reopened.
    other_lead = make_member(lead.membership.organisation, Role.QUEUE_LEAD)
    cleared = decided(other_lead, ngo_member, accounts=("appealed",), received_at=on(4, 2), now=on(4, 2, 12),
                      decision=NO_ACTION)  # fmt: skip
    appeal = appealed(cleared, ngo_member, now=on(4, 3))
    appeal_decide(by=lead, appeal=appeal, outcome="reversed", statement=STATEMENT, now=on(4, 4))
