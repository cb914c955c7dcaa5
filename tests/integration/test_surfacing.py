"""SPEC §14 look-alikes on real PostgreSQL, Redis and a celery worker: a job of 10,000
accounts posted through the API against 125,000 suspended accounts of one platform raises
exactly the expected signals, which the worker routes to `surfaced`.

The suspended accounts and the candidates come from benchmarks/lookalike_data.py, a set whose
answer is known by construction. Timings are `make bench`'s job; this test prints its own.
"""

from __future__ import annotations

import importlib
import time

import pytest
from django.apps import apps

from benchmarks import lookalike_data
from referrals.models import Detector, Kind, Referral, Resemblance, Status, Subject
from referrals.surfacing.services.signals import NewSignal, signals_raise
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration

PLATFORM = "lookalikes.example"
SUSPENDED = 125_000
CANDIDATES = 10_000


@pytest.fixture
def surfaced_queue(routing_table):
    """The `surfaced` queue and its rule, after the default ones (migration 0012's data, which
    transactional tests flush)."""
    importlib.import_module("referrals.migrations.0012_surfacing_data").queue_and_rule(apps)


def _signals():
    return Referral.objects.filter(kind=Kind.SIGNAL, detector=Detector.LOOKALIKE)


def test_a_ten_thousand_account_job_raises_exactly_the_look_alikes_and_routes_them(
    surfaced_queue, worker, api_for, reviewer
):
    started = time.monotonic()
    data = lookalike_data.build(platform=PLATFORM, suspended=SUSPENDED, candidates=CANDIDATES)
    already = sorted(data.expected)[0]
    (open_signal,) = signals_raise(
        by=reviewer,
        signals=[NewSignal(platform=PLATFORM, account=already, detector=Detector.MANUAL, reasons=["Seen by hand."])],
    )
    expected = data.expected - {already}
    print(f"\nset-up: {SUSPENDED:,} suspended accounts written in {time.monotonic() - started:.1f}s")
    assert Subject.objects.filter(platform=PLATFORM, suspended_at__isnull=False).count() == SUSPENDED
    assert not _signals().exists()

    client = api_for(reviewer)
    started = time.monotonic()
    response = client.post("/api/v1/surfacing/accounts/", {"accounts": data.candidates}, format="json")
    assert response.status_code == 202, response.content[:500]
    job_url = f"/api/v1/jobs/{response.json()['job']}/"

    job = wait_until(lambda: (r := client.get(job_url).json())["status"] in ("done", "failed") and r, 300, 0.5)
    print(f"job of {CANDIDATES:,} candidates done in {time.monotonic() - started:.1f}s ({job['created']} signals)")

    assert job["status"] == "done" and job["errors"] == []
    assert job["total"] == job["processed"] == CANDIDATES
    assert job["created"] == len(expected)
    signals = _signals()
    assert set(signals.values_list("surfaced_subject__account", flat=True)) == expected
    assert signals.filter(surfaced_subject__account=already).count() == 0  # its manual signal was open
    assert not signals.filter(surfaced_subject__account__in=data.kinds["near_miss"] + data.kinds["new"]).exists()
    assert not signals.filter(surfaced_subject__account__in=data.kinds["suspended"]).exists()
    assert set(signals.values_list("submitted_by", flat=True)) == {None}  # shown as "Surfacing"
    bases = set(
        Resemblance.objects.filter(referral__in=signals).values_list("referral__surfaced_subject__account", "basis")
    )
    assert bases == {(a, "handle") for a in data.kinds["handle"] if a != already} | {
        (a, "display_name") for a in data.kinds["display_name"] if a != already
    }

    wait_until(lambda: not signals.filter(status=Status.RECEIVED).exists(), 120, 0.5)
    print(f"signals routed {time.monotonic() - started:.1f}s after the post")
    assert set(signals.values_list("queue__slug", flat=True)) == {"surfaced"}
    open_signal.refresh_from_db()
    assert open_signal.status == Status.ROUTED and open_signal.queue.slug == "surfaced"
