"""The figures of the public transparency report (SPEC §8).

Population: the referrals *received* in the period, `start` 00:00 UTC to the end of `end`
(UTC dates, both inclusive). Every figure describes that population, so the report for a
quarter does not change shape when a referral is decided in the next one; its figures for
open referrals settle as they are decided.

Definitions:

- **by kind / category / submitter kind**: received referrals counted by each; the submitter
  kind is the filing organisation's kind (`ngo` or `law_enforcement`).
- **outcomes**: referrals by status: `actioned`, `no_violation`, `rejected` (together
  "decided"), `duplicate`, `withdrawn`, and `open` (not closed yet).
- **actions**: decisions on those referrals by action (one decision per referral, including
  decisions applied from another referral's decision on the same account).
- **accounts suspended**: distinct accounts (subjects) whose suspension came from a referral
  received in the period (`Subject.suspended_by`). An account named in many referrals counts
  once, and a later referral about an already suspended account adds nothing.
- **content removed**: decisions with action `content_removed`.
- **time to decision** per kind: minutes from receipt to decision less the time the clock
  was paused waiting on the submitter (`referrals.clock.minutes_to_decision`), over the
  decided referrals; the median and the 90th percentile by linear interpolation
  (`referrals.clock.percentile`, which is what PostgreSQL's `percentile_cont` computes).
- **removal orders within 60 minutes**: removal orders decided on time ÷ removal orders
  that were decided or are still open past their deadline (an overdue open order is a
  miss, not a gap). "On time" is the decision's recorded `on_time`; when unset, the
  clock's own test (`decided_at <= due_at`, see `referrals.clock.Clock.met_deadline`).
- **SLA compliance per queue**: decided referrals of the queue decided by their `due_at` ÷
  decided referrals of the queue; `breached` counts the queue's referrals flagged breached.
- **appeals** (SPEC §16): the appeals and complaints *filed* in the period, received, decided,
  reversed, reinstatements and the median days to decide; their definitions are in
  `referrals.redress.figures`.

Database work: the counts, the accounts suspended and the times to decision come from
per-day roll-ups (`dashboards.transparency.rollups`: what they hold, how triggers keep them
current and how percentiles are read exactly), after the days of the period that writes have
marked are recomputed. Nine queries with nothing to recompute, whatever the number of
referrals: the marked days of the period; the sums of the days' counts by kind, submitter
kind, status, queue, month and action, which every count is summed from, and by category; the
accounts suspended; the time to decision's bucket counts and the values of the buckets its
percentiles fall in (skipped when nothing was decided); and, read live, the queue names and
the appeals' GROUP BY and median. The submitter kind is the organisation's when its days were
last recomputed: a change of kind (only the admin makes one) marks the organisation's days.

`compute_figures_direct` computes the same figures straight from the period's referrals (six
queries: one GROUP BY over the period's rows joined to decision and submitter, and the
percentiles by PostgreSQL's `percentile_cont`, or in Python on SQLite). It is the reference the
tests compare the roll-ups with, and the benchmark's baseline.

Cache: the raw figures of a period that ended before today (UTC) are cached for
`CACHE_SECONDS` (5 minutes) under a key naming the period. A period reaching today is never
cached, so today's numbers are live. A closed period can still change (a late decision, a
withdrawal); those changes show within five minutes, which is the whole invalidation
scheme.

Small cells: `public_figures` replaces every count under `SUPPRESS_BELOW` (5), zero
included, by the string `"<5"`, and sets a ratio or percentile to `None` when a count it is
computed from is under 5 (a share of 3 out of 10 would give the 3 away). Nothing here names
a referral, an account or an organisation: only enum values, their labels and queue names.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from dashboards.transparency.periods import today_utc
from dashboards.transparency.rollups import (
    accounts_suspended,
    decision_times,
    period_categories,
    period_groups,
    referral_groups,
    rollups_refresh,
)
from partners.models import OrganisationKind
from referrals.law_enforcement.selectors import ratio, time_to_decision
from referrals.models import (
    DECIDED_STATUSES,
    OPEN_STATUSES,
    Action,
    Category,
    Kind,
    Queue,
    Referral,
    Status,
    Subject,
)
from referrals.redress.figures import appeal_figures

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
CACHE_SECONDS = 300
CACHE_VERSION = 2  # 2: the appeals figures (SPEC §16)
SUBMITTER_KINDS = (OrganisationKind.NGO, OrganisationKind.LAW_ENFORCEMENT)
OUTCOMES = (Status.ACTIONED, Status.NO_VIOLATION, Status.REJECTED, Status.DUPLICATE, Status.WITHDRAWN)
OPEN_OUTCOME = ("open", _("Open (not yet closed)"))
DECIDED = tuple(DECIDED_STATUSES)


# --- Public entry point ---------------------------------------------------------------------------


def transparency_figures(start: date, end: date, *, suppress: bool = True, today: date | None = None) -> dict:
    """The report's figures for referrals received from `start` to `end` (UTC, inclusive).

    With `suppress` (the default, and the only form shown to the public) small cells are
    replaced as described in the module docstring; platform staff pages pass
    `suppress=False`. The result is plain JSON-able data.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    raw = _raw_cached(start, end, today or today_utc())
    return public_figures(raw) if suppress else raw


def cache_key(start: date, end: date) -> str:
    return f"portal:transparency:v{CACHE_VERSION}:{start.isoformat()}:{end.isoformat()}"


def _raw_cached(start: date, end: date, today: date) -> dict:
    if end >= today:
        return compute_figures(start, end)
    key = cache_key(start, end)
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(start, end)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


# --- Computation --------------------------------------------------------------------------------


def _window(start: date, end: date, field: str = "received_at") -> Q:
    """Received from `start` 00:00 UTC up to, not including, the day after `end`."""
    low = datetime.combine(start, time.min, tzinfo=UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def compute_figures(start: date, end: date) -> dict:
    """The raw (unsuppressed) figures from the per-day roll-ups (`rollups`), after refreshing the
    days of the period that writes have marked: nine queries with nothing to refresh."""
    rollups_refresh(start=start, end=end)
    groups, categories = period_groups(start, end), period_categories(start, end)
    return _figures(start, end, groups, categories, decision_times(start, end), accounts_suspended(start, end))


def compute_figures_direct(start: date, end: date) -> dict:
    """The same figures straight from the referrals (six queries over the period's rows): the
    reference the roll-ups are tested against, and the benchmark's baseline."""
    referrals = Referral.objects.filter(_window(start, end)).order_by()
    groups = list(referral_groups(referrals, TruncMonth("received_at", tzinfo=UTC)))
    categories: dict[str, int] = {}
    for row in groups:
        categories[row["category"]] = categories.get(row["category"], 0) + row["n"]
    times = time_to_decision(referrals.filter(status__in=DECIDED, decided_at__isnull=False))
    # Accounts suspended because of a referral of the period. Such an account was suspended at
    # or after the referral's receipt, which keeps the join to recent suspensions.
    low = datetime.combine(start, time.min, tzinfo=UTC)
    suspended = Subject.objects.filter(_window(start, end, "suspended_by__received_at"), suspended_at__gte=low).count()
    return _figures(start, end, groups, categories, times, suspended)


def _figures(
    start: date, end: date, groups, categories: dict[str, int], times: dict[str, dict], suspended: int
) -> dict:
    """Every figure from `groups` (rows of `referral_groups`: every count of the report but the
    categories' is a sum over them), `categories` (received by category), `times`
    (`time_to_decision`'s) and `suspended` (the accounts suspended), with the live ones beside."""
    by_kind = dict.fromkeys(Kind.values, 0)
    by_category = dict.fromkeys(Category.values, 0) | categories
    by_submitter = dict.fromkeys(SUBMITTER_KINDS, 0)
    by_status = dict.fromkeys(Status.values, 0)
    per_month = dict.fromkeys(_months(start, end), 0)
    actions = dict.fromkeys(Action.values, 0)
    queues: dict[int, dict[str, int]] = {}
    removal = {"counted": 0, "within": 0}
    total = 0
    for row in groups:
        n, status = row["n"], row["status"]
        total += n
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + n
        if row["submitter_kind"] in by_submitter:
            by_submitter[row["submitter_kind"]] += n
        by_status[status] = by_status.get(status, 0) + n
        month = f"{row['period']:%Y-%m}"
        per_month[month] = per_month.get(month, 0) + n
        if row["action"]:
            actions[row["action"]] = actions.get(row["action"], 0) + n
        if row["queue_id"] is not None:
            q = queues.setdefault(row["queue_id"], {"decided": 0, "decided_by_due": 0, "breached": 0})
            if status in DECIDED:
                q["decided"] += n
            q["decided_by_due"] += row["by_due"]
            q["breached"] += row["breached_n"]
        if row["kind"] == Kind.REMOVAL_ORDER:
            removal["counted"] += n if status in DECIDED else row["breached_n"] if status in OPEN_STATUSES else 0
            removal["within"] += row["on_time"]
    removal["share"] = ratio(removal["within"], removal["counted"])

    # Queue names.
    sla = []
    for queue in Queue.objects.order_by("sla_minutes", "name"):
        q = queues.get(queue.pk, {"decided": 0, "decided_by_due": 0, "breached": 0})
        sla.append(
            {
                "queue": queue.slug,
                "name": queue.name,
                "sla_minutes": queue.sla_minutes,
                **q,
                "compliance": ratio(q["decided_by_due"], q["decided"]),
            }
        )

    decided = sum(by_status[s] for s in DECIDED)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "received": total,
        "by_kind": [{"kind": k.value, "label": k.label, "count": by_kind[k.value]} for k in Kind],
        "by_category": [{"category": c.value, "label": c.label, "count": by_category[c.value]} for c in Category],
        "by_submitter_kind": [
            {"submitter_kind": k.value, "label": k.label, "count": by_submitter[k.value]} for k in SUBMITTER_KINDS
        ],
        "by_month": [{"month": month, "count": n} for month, n in per_month.items()],
        "outcomes": [{"outcome": s.value, "label": s.label, "count": by_status[s.value]} for s in OUTCOMES]
        + [
            {"outcome": OPEN_OUTCOME[0], "label": OPEN_OUTCOME[1], "count": total - sum(by_status[s] for s in OUTCOMES)}
        ],
        "decided": decided,
        "actions": [{"action": a.value, "label": a.label, "count": actions[a.value]} for a in Action],
        "accounts_suspended": suspended,
        "content_removed": actions[Action.CONTENT_REMOVED],
        "time_to_decision": [
            {
                "kind": k.value,
                "label": k.label,
                **times.get(k.value, {"decided": 0, "median_minutes": None, "p90_minutes": None}),
            }
            for k in Kind
        ],
        "removal_orders_within_60_minutes": removal,
        "sla_by_queue": sla,
        "appeals": appeal_figures(start, end),
    }


# --- Suppression --------------------------------------------------------------------------------


def suppress_count(value: int) -> int | str:
    return SUPPRESSED if value < SUPPRESS_BELOW else value


def _small(*counts: int) -> bool:
    return any(c < SUPPRESS_BELOW for c in counts)


def public_figures(raw: dict) -> dict:
    """`raw` with every small count replaced by "<5" and the ratios built on one set to None."""
    out = {
        "period": dict(raw["period"]),
        "suppression": {"threshold": SUPPRESS_BELOW, "marker": SUPPRESSED},
        "received": suppress_count(raw["received"]),
        "decided": suppress_count(raw["decided"]),
        "accounts_suspended": suppress_count(raw["accounts_suspended"]),
        "content_removed": suppress_count(raw["content_removed"]),
    }
    for section in ("by_kind", "by_category", "by_submitter_kind", "by_month", "outcomes", "actions"):
        out[section] = [{**row, "count": suppress_count(row["count"])} for row in raw[section]]
    out["time_to_decision"] = [
        {
            **row,
            "decided": suppress_count(row["decided"]),
            "median_minutes": None if _small(row["decided"]) else row["median_minutes"],
            "p90_minutes": None if _small(row["decided"]) else row["p90_minutes"],
        }
        for row in raw["time_to_decision"]
    ]
    removal = raw["removal_orders_within_60_minutes"]
    out["removal_orders_within_60_minutes"] = {
        "counted": suppress_count(removal["counted"]),
        "within": suppress_count(removal["within"]),
        "share": None if _small(removal["counted"], removal["within"]) else removal["share"],
    }
    out["sla_by_queue"] = [
        {
            **row,
            "decided": suppress_count(row["decided"]),
            "decided_by_due": suppress_count(row["decided_by_due"]),
            "breached": suppress_count(row["breached"]),
            "compliance": None if _small(row["decided"], row["decided_by_due"]) else row["compliance"],
        }
        for row in raw["sla_by_queue"]
    ]
    out["appeals"] = public_appeals(raw["appeals"])
    return out


def public_appeals(raw: dict) -> dict:
    """The appeals figures with small counts as "<5" and the median withheld below 5 decided."""
    return {
        **{name: suppress_count(raw[name]) for name in ("received", "decided", "reversed", "reinstated")},
        "median_days_to_decide": None if _small(raw["decided"]) else raw["median_days_to_decide"],
        "by_source": [
            {**row, **{name: suppress_count(row[name]) for name in ("received", "decided", "reversed")}}
            for row in raw["by_source"]
        ],
    }
