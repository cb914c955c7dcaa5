"""The report's downloads: the public figures as CSV rows and as JSON.

The CSV is long-form, one value per row (`section, key, label, measure, value`), so every
section of the report fits one table and a spreadsheet can pivot it. Suppressed counts are
the string "<5"; withheld ratios and percentiles are empty cells (`null` in JSON). Queue names
are typed by queue leads, so the file is written by the portal's formula-defusing writer.
"""

from __future__ import annotations

import io

from portal import csv

CSV_HEADER = ["section", "key", "label", "measure", "value"]

# section → (the row's key field, the measures written for each row)
_SECTIONS = {
    "by_kind": ("kind", ["count"]),
    "by_category": ("category", ["count"]),
    "by_submitter_kind": ("submitter_kind", ["count"]),
    "by_month": ("month", ["count"]),
    "outcomes": ("outcome", ["count"]),
    "actions": ("action", ["count"]),
    "time_to_decision": ("kind", ["decided", "median_minutes", "p90_minutes"]),
    "sla_by_queue": ("queue", ["sla_minutes", "decided", "decided_by_due", "compliance", "breached"]),
}
_TOTALS = ["received", "decided", "accounts_suspended", "content_removed"]
# Appeals and complaints filed in the period (SPEC §16): all of them, then by source.
_APPEALS = ["received", "decided", "reversed", "reinstated", "median_days_to_decide"]


def _cell(value) -> str:
    return "" if value is None else str(value)


def csv_rows(figures: dict) -> list[list[str]]:
    period = figures["period"]
    rows = [
        ["period", "start", "", "date", period["start"]],
        ["period", "end", "", "date", period["end"]],
    ]
    rows += [["totals", name, "", "count", _cell(figures[name])] for name in _TOTALS]
    for section, (key, measures) in _SECTIONS.items():
        for row in figures[section]:
            label = row.get("label") or row.get("name") or ""
            rows += [[section, row[key], label, measure, _cell(row[measure])] for measure in measures]
    removal = figures["removal_orders_within_60_minutes"]
    rows += [
        ["removal_orders_within_60_minutes", "removal_order", "", measure, _cell(removal[measure])]
        for measure in ("counted", "within", "share")
    ]
    appeals = figures["appeals"]
    rows += [["appeals", "all", "", measure, _cell(appeals[measure])] for measure in _APPEALS]
    for row in appeals["by_source"]:
        rows += [
            ["appeals", row["source"], row["label"], m, _cell(row[m])] for m in ("received", "decided", "reversed")
        ]
    return rows


def to_csv(figures: dict) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(figures))
    return buffer.getvalue()


def filename(period, extension: str) -> str:
    name = period.code or f"{period.start.isoformat()}_{period.end.isoformat()}"
    return f"transparency-{name}.{extension}"
