"""`manage.py benchmark` (what `make bench` runs): the figures of SPEC §12 "Performance",
each beside its baseline measured in the same run. Prints a table and writes
var/bench/results.json. See docs/performance.md."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = "Measure intake, routing, bulk import, reads at a million referrals and surfacing against their budgets."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Small sizes, for a smoke run (10k and 5k)")
        parser.add_argument("--skip-million", action="store_true", help="Skip generating and reading a million")
        parser.add_argument(
            "--only",
            default="",
            help="Comma-separated sections: intake, routing, bulk, reads, surfacing (default: all)",
        )
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "results.json"))

    def handle(self, *args, quick, skip_million, only, output, **options):
        from benchmarks import bulk_import, intake, machine, reads, routing, surfacing
        from benchmarks.common import bench_cleanup

        sections = {s.strip() for s in only.split(",") if s.strip()} or {
            "intake",
            "routing",
            "bulk",
            "reads",
            "surfacing",
        }
        sizes = {
            "intake_seconds": 6 if quick else 20,
            "noops": 500 if quick else 3000,
            "routing_referrals": 300 if quick else 2000,
            "steady_seconds": 5 if quick else 20,
            "bulk": 5_000 if quick else 125_000,
            "million": 10_000 if quick else 1_000_000,
            "runs": 20 if quick else 50,
            "lookalike_candidates": 1_000 if quick else 10_000,
            "lookalike_suspended": 12_500 if quick else 125_000,
            "media_hashes": 50_000 if quick else 1_000_000,
            "media_lookups": 50 if quick else 200,
            "brute_force_runs": 3 if quick else 5,
        }
        log = self.stdout.write
        call_command("migrate", verbosity=0, interactive=False)
        if not settings.DEBUG:
            call_command("collectstatic", verbosity=0, interactive=False)
        notes = [n for n in os.environ.get("BENCH_NOTES", "").split("; ") if n]
        if connection.vendor != "postgresql":
            notes.append("measured on SQLite, not PostgreSQL: the figures say little about production")
        broker = bool(settings.CELERY_BROKER_URL)
        results: dict = {
            "started_at": timezone.now().isoformat(),
            "mode": "quick" if quick else "full",
            "machine": machine.describe(),
            "sizes": sizes,
            "notes": notes,
        }
        log(f"Machine: {json.dumps(results['machine'])}")
        for note in notes:
            log(self.style.WARNING(f"Note: {note}"))
        started = time.monotonic()
        bench_cleanup()
        try:
            if "intake" in sections:
                log("Intake (API create vs bare DRF create)…")
                results["intake"] = intake.run(seconds=sizes["intake_seconds"], log=log)
                bench_cleanup()
            if broker and "routing" in sections:
                log("Routing (one worker vs its no-op task rate)…")
                results["routing"] = routing.run(
                    noops=sizes["noops"],
                    referrals=sizes["routing_referrals"],
                    steady_seconds=sizes["steady_seconds"],
                    log=log,
                )
                bench_cleanup()
            if broker and "bulk" in sections:
                log(f"Bulk import of {sizes['bulk']:,} referrals → routed → queued…")
                results["bulk"] = bulk_import.run(referrals=sizes["bulk"], log=log)
                bench_cleanup()
            if not broker and sections & {"routing", "bulk"}:
                results["routing"] = results["bulk"] = {"skipped": "no broker configured (CELERY_BROKER_URL)"}
            if not skip_million and "reads" in sections:
                log(f"Reads at {sizes['million']:,} referrals…")
                results["reads_data"] = reads.ensure_data(sizes["million"], log)
                results["reads"] = reads.run(runs=sizes["runs"], log=log)
            if "surfacing" in sections:
                log(
                    f"Surfacing: look-alikes ({sizes['lookalike_candidates']:,} × {sizes['lookalike_suspended']:,}), "
                    f"near duplicates among {sizes['media_hashes']:,} image hashes…"
                )
                results["surfacing"] = surfacing.run(
                    candidates=sizes["lookalike_candidates"],
                    suspended=sizes["lookalike_suspended"],
                    hashes=sizes["media_hashes"],
                    lookups=sizes["media_lookups"],
                    brute_runs=sizes["brute_force_runs"],
                    log=log,
                    timeout=120 if quick else 300,
                )
                bench_cleanup()
        finally:
            bench_cleanup()
        results["bench_process_peak_rss_mb"] = machine.own_peak_rss_mb()
        results["seconds"] = round(time.monotonic() - started, 1)
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(results, indent=2, default=str))
        self._table(results)
        log(f"Results written to {output} ({results['seconds']}s).")

    def _table(self, results: dict) -> None:
        rows: list[tuple[str, str, str, str]] = []

        def verdict(ok) -> str:
            return "ok" if ok else "MISSED"

        if "intake" in results:
            r = results["intake"]
            rows.append(
                (
                    "intake (created/s)",
                    f"{r['intake_per_second']}",
                    f"bare DRF {r['bare_per_second']} ({r['ratio']:.0%})" if r["ratio"] else "-",
                    verdict(r["ok"]),
                )
            )
        r = results.get("routing", {})
        if "noop_tasks_per_second" in r:
            for shape, rate in r["routed_per_second"].items():
                rows.append(
                    (
                        f"routing {shape} (/s)",
                        f"{rate}",
                        f"no-op {r['noop_tasks_per_second']}",
                        verdict(rate >= r["noop_tasks_per_second"]),
                    )
                )
            for shape, rate in r.get("routed_per_second_two_workers", {}).items():
                one = r["routed_per_second"][shape]
                rows.append(
                    (
                        f"routing {shape}, two workers (/s)",
                        f"{rate}",
                        f"one worker {one} (×{rate / one:.2f})" if one else "-",
                        "-",
                    )
                )
            lat = r["latency"]
            rows.append(
                (
                    "submit→routed p50 / p99",
                    f"{lat['p50_ms']:.0f} / {lat['p99_ms']:.0f} ms",
                    f"at {lat['rate_per_second']:.0f}/s",
                    "-",
                )
            )
        r = results.get("bulk", {})
        if "seconds" in r:
            value = f"{r['seconds']} s" + (f" (timed out; {r['queued']:,} queued)" if r.get("timed_out") else "")
            rows.append((f"bulk {r['referrals']:,} → queued", value, "budget 120 s (125k)", verdict(r["ok"])))
        from benchmarks.reads import budget_ms

        reads = results.get("reads", {})
        for name, r in reads.items():
            if isinstance(r, dict) and "p95_ms" in r:
                limit = 200 if name == "transparency" else budget_ms(name)
                sizes = r.get("queries_by_page_size")
                by_size = f"; q@10/200 {sizes['10']}/{sizes['200']}" if sizes else ""
                rows.append(
                    (
                        name,
                        f"p50 {r['p50_ms']:.1f} / p95 {r['p95_ms']:.1f} ms",
                        f"{r['queries']} queries{by_size}",
                        "- (no budget)"
                        if limit is None
                        else verdict(r["p95_ms"] < limit and (not sizes or sizes["10"] == sizes["200"])),
                    )
                )
        rows += self._surfacing_rows(results.get("surfacing", {}), verdict)
        for name, key in (
            ("web workers peak RSS", ("intake", "web_workers_peak_rss_mb")),
            ("routing worker peak RSS", ("routing", "worker_peak_rss_mb")),
            ("bulk worker peak RSS", ("bulk", "worker_peak_rss_mb")),
            ("bulk routing worker peak RSS", ("bulk", "router_peak_rss_mb")),
        ):
            value = results.get(key[0], {}).get(key[1])
            if value:
                rows.append((name, f"{value['main']} MB main", f"children {value['children']} MB", "-"))
        header = ("figure", "value", "baseline", "budget")
        widths = [max(len(row[i]) for row in [*rows, header]) for i in range(4)]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write(line.format("figure", "value", "baseline", "budget"))
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row))

    @staticmethod
    def _surfacing_rows(results: dict, verdict) -> list[tuple[str, str, str, str]]:
        rows = []
        r = results.get("lookalike")
        if r:
            rows.append(
                (
                    f"look-alike job {r['candidates']:,} × {r['suspended']:,}",
                    (
                        f"stopped at {r['seconds']} s: {r['processed']:,} checked, {r['signals']} signals"
                        if r.get("timed_out")
                        else f"{r['seconds']} s; {r['signals']} signals (expected {r['expected_signals']})"
                    ),
                    f"routed after {r['routed_seconds']} s; budget 20 s",
                    verdict(r["ok"]),
                )
            )
        r = results.get("near_duplicate")
        if r:
            lookup = r["lookup"]
            brute = f"brute force p50: Python {r['brute_force_python']['p50_ms']:.0f} ms"
            if "brute_force_sql" in r:
                brute += f", SQL {r['brute_force_sql']['p50_ms']:.0f} ms"
            rows.append(
                (
                    f"near-duplicate lookup ({r['hashes']:,} hashes)",
                    f"p50 {lookup['p50_ms']:.1f} / p95 {lookup['p95_ms']:.1f} ms, {lookup['queries']} queries",
                    brute,
                    verdict(r["ok"]),
                )
            )
        return rows
