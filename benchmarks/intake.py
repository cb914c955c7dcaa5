"""Intake: referrals created per second through `POST /api/v1/referrals/` by concurrent
clients, next to a bare DRF create of the same row, measured the same way in the same run.

Both run against one gunicorn started here with the Procfile's shape (2 workers × 4
threads) and benchmarks.settings (the portal plus the bare endpoint). Clients are threads
of this process, each with its own keep-alive HTTP session and a Bearer token; they run
for a fixed time, and the two endpoints alternate over two rounds so that neither gets the
warmer database.
"""

from __future__ import annotations

import itertools
import random
import threading
import time

import requests

from partners.services import api_token_issue

from .common import BENCH_ACCOUNT, bench_member, executable, free_port, start, stop, wait_until
from .machine import tree_peak_rss_mb

INTAKE_PATH = "/api/v1/referrals/"
BARE_PATH = "/bench/bare-referrals/"
CLIENTS = 4


def _body(n: int, rng: random.Random) -> dict:
    # A fifth name one of a few hyper accounts (their subject row is shared and hot).
    account = f"{BENCH_ACCOUNT}hyper_{rng.randrange(5)}" if rng.random() < 0.2 else f"{BENCH_ACCOUNT}intake_{n}"
    return {
        "kind": "notice",
        "category": rng.choice(["propaganda", "glorification", "terrorist_recruitment", "violent_threat"]),
        "severity": rng.choice(["high", "medium", "low"]),
        "explanation": "The account republishes propaganda videos of a proscribed organisation daily.",
        "targets": [{"url": f"https://x.com/{account}/status/{rng.randrange(10**15, 10**16)}"}],
        "language": "en",
        "country": "GB",
        "good_faith_confirmed": True,
    }


def _drive(base: str, path: str, token: str, seconds: float, clients: int, counter) -> dict:
    """`clients` threads POSTing for `seconds`; created per second and errors."""
    created = [0] * clients
    errors: list[str] = []
    stop_at = time.monotonic() + seconds

    def client(i: int) -> None:
        rng = random.Random(i)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while time.monotonic() < stop_at:
            response = session.post(base + path, json=_body(next(counter), rng), timeout=30)
            if response.status_code == 201:
                created[i] += 1
            elif len(errors) < 5:
                errors.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "created": sum(created),
        "seconds": round(elapsed, 2),
        "per_second": sum(created) / elapsed,
        "errors": errors,
    }


def run(*, seconds: float, log) -> dict:
    user = bench_member("intake", trusted=True)
    _, token = api_token_issue(user=user, name="benchmark", days=1)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(
        "gunicorn",
        [
            executable("gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
    )
    counter = itertools.count(int(time.time() * 1000))
    try:
        wait_until(lambda: _answers(base), timeout=60, interval=0.2)
        # Warm both paths (imports, connections, the first subjects).
        _drive(base, BARE_PATH, token, 1, CLIENTS, counter)
        _drive(base, INTAKE_PATH, token, 1, CLIENTS, counter)
        rounds = {"bare": [], "intake": []}
        for _ in range(2):
            for name, path in (("bare", BARE_PATH), ("intake", INTAKE_PATH)):
                result = _drive(base, path, token, seconds / 2, CLIENTS, counter)
                rounds[name].append(result)
                log(f"  {name:<7} {result['per_second']:8.1f} created/s ({result['created']} in {result['seconds']}s)")
        memory = {"web_workers_peak_rss_mb": tree_peak_rss_mb(server.pid)}
    finally:
        stop(server)
    bare = sum(r["created"] for r in rounds["bare"]) / sum(r["seconds"] for r in rounds["bare"])
    intake = sum(r["created"] for r in rounds["intake"]) / sum(r["seconds"] for r in rounds["intake"])
    errors = [e for r in rounds["bare"] + rounds["intake"] for e in r["errors"]]
    return {
        "method": f"gunicorn 2 workers x 4 threads; {CLIENTS} client threads with keep-alive; "
        f"{seconds:.0f}s per endpoint in two alternating rounds",
        "intake_per_second": round(intake, 1),
        "bare_per_second": round(bare, 1),
        "ratio": round(intake / bare, 3) if bare else None,
        "budget": "intake >= 70% of the bare create",
        "ok": bool(bare) and intake >= 0.7 * bare and not errors,
        "errors": errors,
        **memory,
    }


def _answers(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=1).status_code in (200, 503)
    except requests.RequestException:
        return False
