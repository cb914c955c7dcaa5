"""`python -m benchmarks.env -- COMMAND…`: run COMMAND with the benchmark's environment.

PostgreSQL and Redis when they answer (BENCH_DATABASE_URL, BENCH_BROKER_URL, defaulting to
the local ones), SQLite and in-process tasks otherwise; production settings (debug off) with
a benchmark-only secret. The database is created when missing. `make bench` uses it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/counterpoint_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/14"


def reachable(url: str, port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or port), timeout=2):
            return True
    except OSError:
        return False


def environment() -> tuple[dict, list[str]]:
    env = dict(os.environ)
    notes = []
    database = env.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    broker = env.get("BENCH_BROKER_URL", DEFAULT_BROKER)
    if reachable(database, 5432):
        env["DATABASE_URL"] = database
    else:
        env["DATABASE_URL"] = "sqlite:///var/bench/bench.sqlite3"
        notes.append(f"PostgreSQL does not answer at {urlsplit(database).netloc}: measuring on SQLite")
    if reachable(broker, 6379):
        env["CELERY_BROKER_URL"] = broker
    else:
        env.pop("CELERY_BROKER_URL", None)
        notes.append(f"Redis does not answer at {urlsplit(broker).netloc}: no worker figures")
    env["DJANGO_DEBUG"] = "0"
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-never-used-elsewhere-0123456789")
    env["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    env.setdefault("LOG_LEVEL", "WARNING")
    # One client at full speed is the load, not an abuse: the throttle still runs (its cost
    # is measured) with a limit out of reach.
    env.setdefault("PORTAL_API_RATE_USER", "1000000/minute")
    env["BENCH_NOTES"] = "; ".join(notes)
    return env, notes


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    env, notes = environment()
    for note in notes:
        print(f"Note: {note}.", file=sys.stderr)
    os.makedirs("var/bench", exist_ok=True)
    subprocess.run([sys.executable, "-m", "scripts.ensure_database"], env=env, check=True)
    return subprocess.run(argv, env=env).returncode  # noqa: S603 - the command make passes


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
