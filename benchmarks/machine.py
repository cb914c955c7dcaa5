"""What the figures were measured on, and how much memory processes used."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from django.conf import settings
from django.db import connection


def describe() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_gb = None
    if Path("/proc/meminfo").exists():
        total_kb = int(Path("/proc/meminfo").read_text().split("MemTotal:", 1)[1].split()[0])
        memory_gb = round(total_kb / 1024 / 1024, 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    broker = "none (tasks run in-process)"
    if settings.CELERY_BROKER_URL:
        broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
        try:
            import redis

            info = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2).info("server")
            broker = f"Redis {info['redis_version']}"
        except Exception as exc:  # another broker, or unreachable: say what we know
            broker = f"{broker} ({exc.__class__.__name__} asking its version)"
    return {
        "cores": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "database": database,
        "broker": broker,
    }


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set (VmHWM) of a live process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*") if Path(f"/proc/{pid}/task").exists() else []:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_peak_rss_mb(pid: int) -> dict:
    """Peak RSS of a process and of each of its children: {"main": MB, "children": [MB…]}."""
    return {"main": peak_rss_mb(pid), "children": [peak_rss_mb(c) for c in children(pid)]}


def own_peak_rss_mb() -> float | None:
    return peak_rss_mb(os.getpid())
