"""Shared pieces of the benchmark: its own organisations and people, subprocesses, cleanup."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

from partners.models import Membership, Organisation, OrganisationKind, Role
from portal.models import User
from referrals.engine.clock import percentile
from referrals.models import Queue, Referral

from .cast import reset_referrals_of

BENCH_PREFIX = "bench-"
BENCH_ACCOUNT = "bench_"
# The platform of the look-alike section's suspended accounts and candidates: its own, so they
# are exactly the ones compared, and deleted with the benchmark's referrals.
BENCH_PLATFORM = "bench.example"
ROOT = Path(settings.BASE_DIR)
LOG_DIR = ROOT / "var" / "bench"


def bench_member(slug: str, *, trusted: bool = False, role: str = Role.NGO_MEMBER) -> User:
    """A member of the benchmark's organisation `bench-<slug>` (created once)."""
    kind = OrganisationKind.PLATFORM if role in (Role.REVIEWER, Role.QUEUE_LEAD) else OrganisationKind.NGO
    org, _ = Organisation.objects.get_or_create(
        slug=f"{BENCH_PREFIX}{slug}",
        defaults={
            "name": f"Benchmark {slug}",
            "kind": kind,
            "verified": True,
            "trusted_flagger": trusted,
            "email_domains": [f"{slug}.bench.test"],
        },
    )
    email = f"{role}@{slug}.bench.test"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, name=f"Benchmark {role}")
        Membership.objects.create(user=user, organisation=org, role=role)
    if role == Role.REVIEWER:
        for queue in Queue.objects.all():
            queue.members.add(user)
    return user


def bench_cleanup() -> None:
    """Delete every referral the benchmark itself filed, and its subjects (the load data stays)."""
    reset_referrals_of(
        Organisation.objects.filter(slug__startswith=BENCH_PREFIX),
        account_prefix=BENCH_ACCOUNT,
        platforms=(BENCH_PLATFORM,),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    return env


def start(name: str, argv: list[str]) -> subprocess.Popen:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = open(LOG_DIR / f"{name}.log", "w")  # noqa: SIM115 - kept open for the process's life
    # The argv is built here from the venv's own executables, never from input.
    return subprocess.Popen(argv, cwd=ROOT, env=subprocess_env(), stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def executable(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> float:
    """Seconds until `predicate()` held; raises TimeoutError after `timeout`."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not done after {timeout:.0f}s")
        time.sleep(interval)
    return time.monotonic() - started


def received_left(seqs: list[int]) -> int:
    """How many of `seqs` are still waiting to be routed (in chunks, for big lists)."""
    left = 0
    for start in range(0, len(seqs), 20_000):
        left += Referral.objects.filter(seq__in=seqs[start : start + 20_000], status="received").count()
    return left


def stats(samples_ms: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(samples_ms, 50), 2),
        "p95_ms": round(percentile(samples_ms, 95), 2),
        "p99_ms": round(percentile(samples_ms, 99), 2),
        "runs": len(samples_ms),
    }


def close_db() -> None:
    """Threads and forks must not share the main thread's connection."""
    connection.close()
