"""Routing that drains, on PostgreSQL (issue 21): `FOR UPDATE SKIP LOCKED` lets a routing
task take the referrals waiting around its own and lets two routing workers take disjoint
batches; a referral skipped because another transaction held it is still routed, once."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, transaction

from partners.models import Role
from portal.queueing import enqueue
from referrals.intake.services import filing
from referrals.models import Referral, Status
from referrals.review.services.routing import DRAIN_BATCH, referral_route_batch
from referrals.tasks import route_referrals
from tests.factories import make_member
from tests.integration.conftest import wait_until
from tests.integration.test_routing_pipeline import _assert_routed_exactly_once, _file_directly

pytestmark = pytest.mark.integration


class _Rollback(Exception):
    pass


def _hold_lock(seq: int, locked: threading.Event, release: threading.Event) -> None:
    """Another transaction locks the referral, then rolls back when told."""
    try:
        with transaction.atomic():
            Referral.objects.select_for_update().get(seq=seq)
            locked.set()
            release.wait(20)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        connection.close()


def test_a_referral_held_by_another_transaction_is_routed_once_it_lets_go(routing_table, transactional_db, ngo):
    user = make_member(ngo, Role.NGO_MEMBER)
    with mock.patch.object(filing, "enqueue_on_commit"):  # routed by hand below
        held, *others = _file_directly(user, 3)
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(held, locked, release))
    holder.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()

    # The first pass skips the held row and routes the others; the second waits for it.
    routed = referral_route_batch(seqs=[held], drain=DRAIN_BATCH)

    holder.join()
    assert routed == 3
    _assert_routed_exactly_once([held, *others])


def test_a_burst_of_one_task_per_referral_routes_every_one_once_with_two_workers(routing_table, worker_factory, ngo):
    user = make_member(ngo, Role.NGO_MEMBER)
    with mock.patch.object(filing, "enqueue_on_commit"):  # the burst is published below
        seqs = _file_directly(user, 3000, chunk=500)
    worker_factory(concurrency=2)
    worker_factory(concurrency=1)

    for seq in seqs:
        enqueue(route_referrals, [seq])

    wait_until(lambda: not Referral.objects.filter(seq__in=seqs, status=Status.RECEIVED).exists(), timeout=120)
    _assert_routed_exactly_once(seqs)
