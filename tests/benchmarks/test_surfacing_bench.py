"""The surfacing section of `make bench` (benchmarks/surfacing.py, SPEC §14 and §21): its
look-alike set has the answer it claims, and a small run measures both figures and cleans up."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from benchmarks import lookalike_data, surfacing
from benchmarks.common import BENCH_PLATFORM, bench_cleanup
from benchmarks.management.commands.benchmark import Command
from referrals.models import Evidence, MediaHash, Referral, Resemblance, Subject
from referrals.surfacing.services.lookalike import Candidate, lookalikes


@pytest.fixture
def surfaced_queue(routing_table):
    """The `surfaced` queue and its rule (migration 0012; transactional tests flush them)."""
    importlib.import_module("referrals.migrations.0012_surfacing_data").queue_and_rule(apps)


def test_the_look_alike_set_raises_exactly_the_candidates_it_expects(db):
    data = lookalike_data.build(platform=BENCH_PLATFORM, suspended=3000, candidates=600, seed=3)
    suspended = set(data.kinds["suspended"])
    checked = [Candidate(**c) for c in data.candidates if c["account"] not in suspended]

    found = lookalikes(checked)

    assert Subject.objects.filter(platform=BENCH_PLATFORM, suspended_at__isnull=False).count() == 3000
    assert len(data.candidates) == 600 and len({c["account"] for c in data.candidates}) == 600
    assert {c.account for c, matches in zip(checked, found, strict=True) if matches} == data.expected
    assert data.kinds["handle"] and data.kinds["display_name"] and data.kinds["near_miss"] and suspended
    assert data.expected == set(data.kinds["handle"]) | set(data.kinds["display_name"])


@pytest.mark.skipif(
    bool(settings.CELERY_BROKER_URL),
    reason="with a broker the section starts a worker on the benchmark's database, not the test one",
)
def test_a_small_surfacing_run_measures_both_figures_and_is_cleaned_up(transactional_db, surfaced_queue):
    lines = []

    results = surfacing.run(candidates=300, suspended=2000, hashes=3000, lookups=10, brute_runs=2, log=lines.append)

    r = results["lookalike"]
    assert r["job_status"] == "done" and r["exact"] and r["signals"] == r["expected_signals"] > 0
    assert r["queues"] == {"surfaced": r["signals"]}
    m = results["near_duplicate"]
    assert m["agrees_with_brute_force"] and m["lookup"]["runs"] == 10 and m["lookup"]["lookups_with_hits"] > 0
    assert m["brute_force_python"]["runs"] == 2
    assert ("brute_force_sql" in m) == (connection.vendor == "postgresql")
    assert MediaHash.objects.count() == 3000
    assert any("look-alike job" in line for line in lines) and any("near-duplicate" in line for line in lines)
    rows = Command._surfacing_rows(results, lambda ok: "ok" if ok else "MISSED")
    assert [row[0] for row in rows] == ["look-alike job 300 × 2,000", "near-duplicate lookup (3,000 hashes)"]

    bench_cleanup()

    assert not MediaHash.objects.exists() and not Evidence.objects.exists()
    assert not Referral.objects.exists() and not Resemblance.objects.exists()
    assert not Subject.objects.filter(platform=BENCH_PLATFORM).exists()
