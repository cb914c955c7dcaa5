"""SPEC §4.1 and §12 reliability on real PostgreSQL, Redis and celery worker processes.

Run in the integration lane (PORTAL_TEST_LANE=integration). Each test starts its own
workers, so the database is the only shared state and every assertion reads it.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from partners.models import Role
from referrals.intake.services.filing import referrals_create
from referrals.intake.services.validation import referral_clean
from referrals.models import Queue, Referral, Status, TimelineEvent
from referrals.permissions import kinds_filable_by
from referrals.review.services.claims import referral_claim_next
from referrals.review.services.routing import referral_route_batch, referrals_sweep_received
from tests.factories import make_member
from tests.integration.conftest import wait_until
from tests.referrals.factories import referral_data

pytestmark = pytest.mark.integration

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"


def _routed_count(seqs=None) -> int:
    qs = Referral.objects.exclude(status=Status.RECEIVED)
    if seqs is not None:
        qs = qs.filter(seq__in=seqs)
    return qs.count()


def _file_directly(user, count: int, *, chunk: int = 100) -> list[int]:
    """Store `count` referrals as intake does (one routing task per chunk, on commit)."""
    cleaned = referral_clean(referral_data(category="other", severity="low"), kinds_allowed=kinds_filable_by(user))
    assert not cleaned.errors
    organisation = user.membership.organisation
    seqs: list[int] = []
    for start in range(0, count, chunk):
        items = [cleaned.cleaned] * min(chunk, count - start)
        seqs += [r.seq for r in referrals_create(items=items, organisation=organisation, user=user)]
    return seqs


def _assert_routed_exactly_once(seqs) -> None:
    counts = dict(
        TimelineEvent.objects.filter(referral_id__in=seqs, type__in=["routed", "duplicate"])
        .values_list("referral_id")
        .annotate(n=Count("id"))
        .values_list("referral_id", "n")
    )
    assert len(counts) == len(seqs), f"{len(seqs) - len(counts)} referrals have no routing entry"
    assert set(counts.values()) == {1}, "some referral was routed twice"
    assert not Referral.objects.filter(seq__in=seqs, status=Status.RECEIVED).exists()


@contextmanager
def broker_at(settings, url: str):
    """Point this process's publisher (not the workers, not the machine's Redis) at `url`."""
    from portal.celery import app

    def switch(to: str) -> None:
        # Drop the cached pools rather than close them: kombu shares them per broker URL.
        app.conf.broker_url = to
        settings.CELERY_BROKER_URL = to
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    switch(url)
    try:
        yield
    finally:
        switch(original)


def test_two_thousand_referrals_filed_through_the_api_are_all_routed(routing_table, worker, api_for, ngo):
    client = api_for(make_member(ngo, Role.NGO_MEMBER))
    body = referral_data(category="other", severity="low")

    for _ in range(2000):
        assert client.post("/api/v1/referrals/", body, format="json").status_code == 201

    wait_until(lambda: _routed_count() == 2000, timeout=120, interval=1)
    seqs = list(Referral.objects.values_list("seq", flat=True))
    _assert_routed_exactly_once(seqs)
    assert set(Referral.objects.values_list("queue__slug", flat=True)) == {"trusted-flaggers"}


def test_a_worker_killed_mid_batch_loses_no_referral_and_routes_none_twice(routing_table, worker_factory, ngo):
    user = make_member(ngo, Role.NGO_MEMBER)
    first = worker_factory(concurrency=2)

    seqs = _file_directly(user, 5000)
    wait_until(lambda: _routed_count() >= 500, timeout=60, interval=0.1)
    first.kill()
    assert _routed_count() < 5000, "the worker finished before it could be killed"

    started = time.monotonic()
    worker_factory(concurrency=2)
    # Beat would run the sweeper a minute later; run it as if that minute had passed.
    referrals_sweep_received(now=timezone.now() + timedelta(minutes=2))
    wait_until(lambda: _routed_count() == 5000, timeout=120, interval=1)

    assert time.monotonic() - started < 120
    _assert_routed_exactly_once(seqs)


def test_submissions_succeed_while_the_broker_is_down_and_are_routed_when_it_returns(
    routing_table, worker_factory, api_for, ngo, settings
):
    client = api_for(make_member(ngo, Role.NGO_MEMBER))
    body = referral_data(category="other", severity="low")

    with broker_at(settings, CLOSED_PORT_BROKER):
        for _ in range(100):
            started = time.monotonic()
            response = client.post("/api/v1/referrals/", body, format="json")
            assert response.status_code == 201
            assert time.monotonic() - started < 2
    assert Referral.objects.filter(status=Status.RECEIVED).count() == 100

    worker_factory()
    referrals_sweep_received(now=timezone.now() + timedelta(minutes=2))

    wait_until(lambda: _routed_count() == 100, timeout=120, interval=1)
    _assert_routed_exactly_once(list(Referral.objects.values_list("seq", flat=True)))


def test_eight_reviewers_claiming_at_once_each_get_different_referrals(routing_table, transactional_db, ngo, platform):
    user = make_member(ngo, Role.NGO_MEMBER)
    seqs = _file_directly(user, 500)
    referral_route_batch(seqs=seqs)
    queue = Queue.objects.get(slug="trusted-flaggers")
    reviewers = [make_member(platform, Role.REVIEWER) for _ in range(8)]
    queue.members.add(*reviewers)
    claims: dict[int, list[int]] = {r.pk: [] for r in reviewers}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(reviewers))

    def work(reviewer):
        try:
            barrier.wait()
            while (referral := referral_claim_next(by=reviewer, queue=queue)) is not None:
                claims[reviewer.pk].append(referral.pk)
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert not errors, errors
    handed_out = [seq for claimed in claims.values() for seq in claimed]
    assert len(handed_out) == 500
    assert set(handed_out) == set(seqs)
    assert sum(1 for claimed in claims.values() if claimed) > 1, "one reviewer took everything"
    for reviewer_pk, claimed in claims.items():
        assert set(Referral.objects.filter(assignee_id=reviewer_pk).values_list("seq", flat=True)) == set(claimed)
    assert not Referral.objects.filter(status=Status.ROUTED).exists()
