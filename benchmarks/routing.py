"""Routing: referrals routed per second by one worker process, next to the same worker's
rate for a no-op task, and the submit-to-routed latency under a steady load.

The worker is `celery -A portal worker -Q routing -c 1` started here against the bench
database and broker. Received referrals are filed beforehand with `referrals_create` (the
function the API and bulk import use) with publishing held back, so the clock measures
routing alone; then their routing tasks are published at once, shaped as the API publishes
them (one task per referral) and as bulk import does (one task per batch of 500). A rate is
the count divided by the time from the first publish until the last is done: the routing
queue drained for the no-op task, no referral left `received` for routing.
"""

from __future__ import annotations

import random
import threading
import time
from unittest import mock

import redis
from django.conf import settings
from django.db import transaction

from portal.queueing import enqueue
from portal.tasks import noop
from referrals.intake.services import filing as intake
from referrals.models import Referral
from referrals.tasks import route_referrals

from .common import (
    BENCH_ACCOUNT,
    bench_member,
    close_db,
    executable,
    received_left,
    start,
    stats,
    stop,
    wait_until,
)
from .machine import tree_peak_rss_mb

QUEUE = "routing"


def broker():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def drained(r, queue: str = QUEUE) -> bool:
    return r.llen(queue) == 0 and r.hlen("unacked") == 0


def purge(r, *queues: str) -> None:
    """Forget messages left by an earlier, interrupted run (these queues only)."""
    r.delete(*queues)


def start_worker(queues: str = QUEUE, concurrency: int = 1, name: str = "worker"):
    worker = start(
        name,
        [
            executable("celery"),
            "-A",
            "portal",
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-{name}@%h",
            "--loglevel",
            "WARNING",
        ],
    )
    r = broker()
    first = queues.split(",")[0]
    noop.apply_async(queue=first)
    wait_until(lambda: drained(r, first), timeout=90, interval=0.1)
    return worker


def _cleaned(n: int, rng: random.Random, tag: str) -> intake.Cleaned:
    account = f"{BENCH_ACCOUNT}hyper_{rng.randrange(5)}" if rng.random() < 0.2 else f"{BENCH_ACCOUNT}{tag}_{n}"
    data = {
        "kind": "notice",
        "category": rng.choice(["propaganda", "glorification", "violent_threat", "hateful_conduct"]),
        "severity": rng.choice(["high", "medium", "low"]),
        "explanation": "The account republishes propaganda videos of a proscribed organisation daily.",
        "targets": [{"platform": "x", "account": account}],
        "good_faith_confirmed": True,
    }
    result = intake.referral_clean(data, kinds_allowed=["notice"])
    return result.cleaned


def file_held(user, count: int, tag: str) -> list[int]:
    """File `count` received referrals without publishing their routing tasks."""
    rng = random.Random(count)
    seqs = []
    organisation = user.membership.organisation
    with mock.patch.object(intake, "enqueue_on_commit"):
        for start_at in range(0, count, 500):
            items = [_cleaned(n, rng, tag) for n in range(start_at, min(start_at + 500, count))]
            with transaction.atomic():
                seqs += [r.seq for r in intake.referrals_create(items=items, organisation=organisation, user=user)]
    return seqs


def run(*, noops: int, referrals: int, steady_seconds: float, log) -> dict:
    r = broker()
    purge(r, QUEUE)
    user = bench_member("routing")
    worker = start_worker()
    try:
        started = time.monotonic()
        for _ in range(noops):
            noop.apply_async(queue=QUEUE)
        wait_until(lambda: drained(r), timeout=600)
        noop_rate = noops / (time.monotonic() - started)
        log(f"  no-op tasks      {noop_rate:8.1f}/s")

        shapes = route_shapes(user, referrals, r, log)
        rate = min(50.0, max(2.0, shapes["one_per_task"] / 2))
        latency = steady_load(user, rate=rate, seconds=steady_seconds)
        log(f"  latency at {rate:.0f}/s   p50 {latency['p50_ms']:.0f} ms, p99 {latency['p99_ms']:.0f} ms")
        memory = tree_peak_rss_mb(worker.pid)
        # Scale-out: a second routing worker beside the first (docs/performance.md).
        second = start_worker(name="worker2")
        try:
            two_workers = route_shapes(user, referrals, r, log, label="two workers, ")
        finally:
            stop(second)
    finally:
        stop(worker)
        purge(r, QUEUE)
    best = max(shapes.values())
    return {
        "method": "celery worker -Q routing -c 1 (prefork) on the bench broker; tasks published in a burst",
        "noop_tasks_per_second": round(noop_rate, 1),
        "routed_per_second": shapes,
        "routed_per_second_two_workers": two_workers,
        "referrals": referrals,
        "latency": {"rate_per_second": rate, "seconds": steady_seconds, **latency},
        "budget": "routing >= the no-op task rate",
        "ok": best >= noop_rate,
        "ok_one_per_task": shapes["one_per_task"] >= noop_rate,
        "worker_peak_rss_mb": memory,
    }


def route_shapes(user, referrals: int, r, log, label: str = "") -> dict:
    """Routed per second for a burst of tasks shaped as the API publishes them (one per
    referral) and as bulk import does (one per 500), until none of them is `received`."""
    shapes = {}
    for shape, size in (("one_per_task", 1), ("batches_of_500", 500)):
        seqs = file_held(user, referrals, f"{shape}_w2" if label else shape)
        started = time.monotonic()
        for i in range(0, len(seqs), size):
            enqueue(route_referrals, seqs[i : i + size])
        wait_until(lambda seqs=seqs: received_left(seqs) == 0, timeout=900, interval=0.05)
        elapsed = time.monotonic() - started
        shapes[shape] = round(len(seqs) / elapsed, 1)
        wait_until(lambda: drained(r), timeout=600)
        log(f"  routing, {label}{shape:<15} {shapes[shape]:8.1f} referrals/s")
    return shapes


def steady_load(user, *, rate: float, seconds: float) -> dict:
    """File one referral at a time at `rate` per second, as the API does (routing task
    published on commit), and measure receipt → routed from the rows afterwards."""
    organisation = user.membership.organisation
    rng = random.Random(7)
    seqs: list[int] = []

    def submit():
        try:
            interval = 1 / rate
            next_at = time.monotonic()
            end = next_at + seconds
            n = 0
            while next_at < end:
                item = _cleaned(n, rng, f"steady{int(next_at)}")
                with transaction.atomic():
                    (referral,) = intake.referrals_create(items=[item], organisation=organisation, user=user)
                seqs.append(referral.seq)
                n += 1
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))
        finally:
            close_db()

    thread = threading.Thread(target=submit)
    thread.start()
    thread.join()
    wait_until(lambda: received_left(seqs) == 0, timeout=300, interval=0.2)
    rows = Referral.objects.filter(seq__in=seqs).values_list("received_at", "routed_at")
    latencies = [(routed - received).total_seconds() * 1000 for received, routed in rows if routed]
    return stats(latencies)
