"""The routing task drains: it takes its own referrals and the oldest others waiting in
`received`, up to a batch, so a burst of one task per filing routes in a few batches and the
rest of the burst finds nothing left to do (issue 21)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import Referral, Status, TimelineEvent
from referrals.review.services.routing import DRAIN_BATCH, referral_route_batch
from referrals.tasks import route_referrals
from tests.referrals.review_factories import received

pytestmark = pytest.mark.django_db


def _statuses(seqs) -> list[str]:
    return [Referral.objects.get(seq=seq).status for seq in seqs]


def test_a_task_for_one_referral_routes_the_others_waiting(other_ngo_member):
    seqs = [received(other_ngo_member, accounts=(f"d{i}",)).seq for i in range(5)]

    assert route_referrals([seqs[2]]) == 5

    assert _statuses(seqs) == [Status.ROUTED] * 5
    for seq in seqs:
        assert TimelineEvent.objects.filter(referral_id=seq, type="routed").count() == 1


def test_a_batch_takes_its_own_referrals_and_the_oldest_others_up_to_its_size(other_ngo_member):
    seqs = [received(other_ngo_member, accounts=(f"b{i}",)).seq for i in range(6)]
    own = seqs[5]

    assert referral_route_batch(seqs=[own], drain=3) == 3

    # Its own, then the two received first.
    assert _statuses(seqs) == [Status.ROUTED, Status.ROUTED] + [Status.RECEIVED] * 3 + [Status.ROUTED]


def test_a_task_whose_referral_was_routed_still_drains_those_waiting(other_ngo_member):
    done = received(other_ngo_member)
    referral_route_batch(seqs=[done.seq])
    waiting = [received(other_ngo_member).seq for _ in range(2)]

    assert route_referrals([done.seq]) == 2

    assert _statuses(waiting) == [Status.ROUTED] * 2
    assert TimelineEvent.objects.filter(referral_id=done.seq, type="routed").count() == 1


def test_without_drain_a_batch_routes_only_its_own(other_ngo_member):
    own, other = received(other_ngo_member), received(other_ngo_member)

    assert referral_route_batch(seqs=[own.seq]) == 1

    assert _statuses([own.seq, other.seq]) == [Status.ROUTED, Status.RECEIVED]


def test_a_task_run_twice_routes_once(other_ngo_member):
    seqs = [received(other_ngo_member).seq for _ in range(3)]

    assert route_referrals(seqs) == 3
    assert route_referrals(seqs) == 0

    assert TimelineEvent.objects.filter(referral_id__in=seqs, type="routed").count() == 3


def test_a_task_finding_nothing_waiting_reads_twice(other_ngo_member):
    done = received(other_ngo_member)
    referral_route_batch(seqs=[done.seq])

    with CaptureQueriesContext(connection) as captured:
        assert route_referrals([done.seq]) == 0

    # Its own referrals still received (none); SAVEPOINT, the others waiting (none: FOR
    # UPDATE SKIP LOCKED on PostgreSQL), RELEASE SAVEPOINT.
    assert len(captured) == 4, [q["sql"] for q in captured]


def test_a_drained_batch_holds_at_least_a_bulk_import_batch():
    from referrals.intake.services import bulk

    assert DRAIN_BATCH >= bulk.BATCH_SIZE
