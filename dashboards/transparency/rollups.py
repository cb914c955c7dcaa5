"""Per-day roll-ups of the transparency figures, kept exact (issue 21: a quarter at a million
referrals within SPEC §21's 200 ms).

What is stored (dashboards.models), per UTC day of receipt:

- `DailyFigures`: the counts of the report's one GROUP BY (`referral_groups`) by kind,
  submitter kind, status, queue and decision action, and `DailyCategories`: the counts by
  category. A period's counts are the sums of its days' rows: some thousands of rows for a
  quarter (6,000 and 800 at a million referrals), however many referrals it has.
- `DailySuspensions`: the accounts suspended by the day's referrals (`Subject.suspended_by`),
  by the day they were suspended when that came before the referral's receipt.
- `DecisionMinutes`: the decided referrals' minutes to decision per kind, the exact values,
  in buckets of eight per doubling of the minutes (`bucket_of`). A percentile is read in two
  steps: the buckets' counts over the period say which bucket holds each rank it
  interpolates between, then only those buckets' values are read and sorted. The values are
  the ones the direct computation finds (PostgreSQL's expression, or Python's on SQLite) and
  the interpolation is its own, so the figures are the same to the last bit.

Keeping them current: triggers (dashboards.transparency.triggers) mark the receipt days every
write changes, in the writer's transaction, and `rollups_refresh` recomputes the marked days.
The report refreshes the marked days of its own period before reading (it reads its writes);
a beat task (dashboards.tasks) refreshes every marked day each minute, so readers rarely wait.

Concurrency (READ COMMITTED, Django's and PostgreSQL's default): a refresh holds a
transaction-level advisory lock (PostgreSQL; SQLite has one writer at a time), so two refreshes
never recompute one day together. Under it, one `DELETE … RETURNING` takes the markers
committed so far, and the recomputation that follows in the same transaction reads every write
committed before that DELETE, so each write whose marker it took is counted. A write still
uncommitted at the DELETE has its marker invisible to it: the marker survives, and the day
stays dirty for the next refresh. Writers never wait on a refresh (they only insert markers,
which have no unique constraint). A failed refresh rolls back with its markers.

Relies on: the figures reading only the referral, decision and account columns and the
organisation kind that the triggers watch (listed in triggers.py: a figure that reads another
column adds it there); writers that bypass triggers (the load generator's COPY with
`session_replication_role = replica`) call `rollups_rebuild()` afterwards.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Count, DateField, F, FloatField, Max, Min, Q, Sum, Value
from django.db.models.functions import Cast, Greatest, Least, TruncDate, TruncMonth

from dashboards.models import DailyCategories, DailyFigures, DailySuspensions, DecisionMinutes, DirtyDay
from referrals.engine.clock import minutes_to_decision
from referrals.law_enforcement.selectors import ON_TIME, SecondsBetween, minutes_rounded
from referrals.models import DECIDED_STATUSES, Referral, Subject

DECIDED = tuple(DECIDED_STATUSES)
DAYS_PER_TRANSACTION = 31
ZERO_BUCKET = -10_000  # below every positive number's bucket
LOCK_KEY = 2_100_003  # pg_advisory_xact_lock: one refresh at a time
PERCENTILES = {"median_minutes": 50, "p90_minutes": 90}
ROLLUPS = (DailyFigures, DailyCategories, DailySuspensions, DecisionMinutes)

# Minutes from receipt to decision less the paused time, as `time_to_decision` computes them on
# PostgreSQL (referrals.law_enforcement.selectors): the same expression gives the same floats.
MINUTES = Greatest(
    Value(0.0),
    (SecondsBetween("decided_at", "received_at") - Cast("paused_seconds", FloatField())) / Value(60.0),
)


DIMENSIONS = ("kind", "submitter_kind", "status", "queue_id", "period", "action")


def referral_groups(referrals, period, *, category: bool = True):
    """The report's one GROUP BY over `referrals`: kind, category (unless `category` is false),
    submitter kind, status, queue, `period` (an expression: the month, or the day for the
    roll-ups) and decision action, with the counts every figure is summed from: `n`, `by_due`
    (decided by `due_at`), `breached_n` and `on_time` (decided on time: `ON_TIME`)."""
    return (
        referrals.annotate(period=period, submitter_kind=F("organisation__kind"), action=F("decision__action"))
        .values(*DIMENSIONS, *(("category",) if category else ()))
        .annotate(
            n=Count("seq"),
            by_due=Count("seq", filter=Q(status__in=DECIDED, decided_at__lte=F("due_at"))),
            breached_n=Count("seq", filter=Q(breached=True)),
            on_time=Count("seq", filter=ON_TIME),
        )
    )


# --- Reading ------------------------------------------------------------------------------------


def period_groups(start: date, end: date):
    """`referral_groups` without the category for the referrals received from `start` to `end`
    by month, summed from the days' roll-ups (one query)."""
    return (
        DailyFigures.objects.filter(day__gte=start, day__lte=end)
        .order_by()
        .annotate(period=Cast(TruncMonth("day"), DateField()))
        .values(*DIMENSIONS)
        .annotate(
            n=Sum("received"),
            by_due=Sum("decided_by_due"),
            breached_n=Sum("breached"),
            on_time=Sum("decided_on_time"),
        )
    )


def period_categories(start: date, end: date) -> dict[str, int]:
    """The referrals received from `start` to `end` by category (one query)."""
    in_period = DailyCategories.objects.filter(day__gte=start, day__lte=end).order_by()
    return dict(in_period.values_list("category").annotate(n=Sum("received")))


def accounts_suspended(start: date, end: date) -> int:
    """The accounts suspended by a referral received from `start` to `end`, and suspended at or
    after `start` 00:00 UTC (one query): the report's count, summed from the days."""
    in_period = DailySuspensions.objects.filter(day__gte=start, day__lte=end, since__gte=start)
    return in_period.aggregate(accounts=Sum("accounts"))["accounts"] or 0


def decision_times(start: date, end: date) -> dict[str, dict]:
    """What `time_to_decision` gives for the decided referrals received from `start` to `end`:
    `{kind: {"decided", "median_minutes", "p90_minutes"}}`, kinds with none absent. Two queries:
    the buckets' counts, then the values of the buckets the percentiles fall in (none without
    decided referrals)."""
    in_period = DecisionMinutes.objects.filter(day__gte=start, day__lte=end).order_by()
    buckets: dict[str, list[tuple[int, int]]] = {}  # kind → [(bucket, rank of its first value)]
    totals: dict[str, int] = {}
    for kind, bucket, n in (
        in_period.values_list("kind", "bucket").annotate(n=Sum("decided")).order_by("kind", "bucket")
    ):
        buckets.setdefault(kind, []).append((bucket, totals.get(kind, 0)))
        totals[kind] = totals.get(kind, 0) + n
    firsts = {kind: [first for _, first in rows] for kind, rows in buckets.items()}

    def bucket_at(kind: str, rank: int) -> tuple[int, int]:
        return buckets[kind][bisect.bisect_right(firsts[kind], rank) - 1]

    wanted = {
        (kind, bucket_at(kind, rank)[0])
        for kind, total in totals.items()
        for p in PERCENTILES.values()
        for rank in _neighbours(_rank(total, p))
    }
    values: dict[tuple[str, int], list[float]] = {}
    if wanted:
        chosen = in_period.filter(reduce(or_, (Q(kind=kind, bucket=bucket) for kind, bucket in wanted)))
        for kind, bucket, minutes in chosen.values_list("kind", "bucket", "minutes"):
            values.setdefault((kind, bucket), []).extend(minutes)
        for sample in values.values():
            sample.sort()

    def value_at(kind: str, rank: int) -> float:
        bucket, first = bucket_at(kind, rank)
        return values[kind, bucket][rank - first]

    return {
        kind: {
            "decided": total,
            **{
                name: minutes_rounded(_percentile(lambda rank, kind=kind: value_at(kind, rank), total, p))
                for name, p in PERCENTILES.items()
            },
        }
        for kind, total in totals.items()
    }


def _rank(n: int, p: int) -> float:
    """Where the `p`-th percentile of `n` sorted values sits (0 … n − 1), rounded as the direct
    computation rounds it: PostgreSQL's `percentile_cont` multiplies by the fraction,
    `referrals.engine.clock.percentile` multiplies by `p` and then divides by 100, and the
    last bit can differ."""
    return p / 100 * (n - 1) if connection.vendor == "postgresql" else (n - 1) * p / 100


def _neighbours(rank: float) -> set[int]:
    return {math.floor(rank), math.ceil(rank)}


def _percentile(value_at: Callable[[int], float], n: int, p: int) -> float:
    """Linear interpolation between the values at the ranks around `_rank(n, p)`, in the order
    of operations of `percentile_cont` and of `referrals.engine.clock.percentile` (which agree)."""
    rank = _rank(n, p)
    low, high = math.floor(rank), math.ceil(rank)
    first = value_at(low)
    return first if high == low else first + (rank - low) * (value_at(high) - first)


def bucket_of(minutes: float) -> int:
    """Eight buckets per doubling: the binary exponent and the three bits after the leading one
    (`frexp` is exact), so a larger value never has a smaller bucket."""
    if minutes <= 0:
        return ZERO_BUCKET
    mantissa, exponent = math.frexp(minutes)  # minutes = mantissa · 2**exponent, ½ ≤ mantissa < 1
    return exponent * 8 + int(mantissa * 16) - 8


# --- Refreshing ---------------------------------------------------------------------------------


def rollups_refresh(*, start: date | None = None, end: date | None = None) -> int:
    """Recompute the roll-ups of the days marked dirty (only those from `start` to `end`,
    inclusive, when given), a month of days per transaction; returns how many days. With
    nothing marked it is one query."""
    marked = DirtyDay.objects.order_by()
    if start is not None:
        marked = marked.filter(day__gte=start)
    if end is not None:
        marked = marked.filter(day__lte=end)
    days = sorted(set(marked.values_list("day", flat=True).distinct()))
    refreshed = 0
    for chunk in _chunks(days, DAYS_PER_TRANSACTION):
        with transaction.atomic():
            _lock()
            taken = _take_markers(chunk)
            _recompute(taken)
        refreshed += len(taken)
    return refreshed


def rollups_rebuild(*, log: Callable[[str], None] | None = None) -> int:
    """Recompute every day's roll-ups from the referrals, a month of days per transaction (the
    report stays readable meanwhile), and drop those of days without referrals; returns how
    many days. For data written with the triggers off, and after restoring a backup."""
    bounds = Referral.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    days: list[date] = []
    if bounds["first"] is not None:
        first, last = (bounds[key].astimezone(UTC).date() for key in ("first", "last"))
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    for chunk in _chunks(days, DAYS_PER_TRANSACTION):
        with transaction.atomic():
            _lock()
            _take_markers(chunk)
            _recompute(set(chunk))
        if log:
            log(f"  transparency roll-ups: {chunk[-1]} done")
    with transaction.atomic():
        _lock()
        outside = Q(day__lt=days[0]) | Q(day__gt=days[-1]) if days else Q()
        for model in (*ROLLUPS, DirtyDay):
            model.objects.filter(outside).delete()
    return len(days)


def _chunks(days: list[date], size: int) -> Iterator[list[date]]:
    for i in range(0, len(days), size):
        yield days[i : i + size]


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _take_markers(days: list[date]) -> set[date]:
    """Delete the markers of `days` committed so far; the days they named."""
    if not days:
        return set()
    table = connection.ops.quote_name(DirtyDay._meta.db_table)
    placeholders = ", ".join(["%s"] * len(days))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE day IN ({placeholders}) RETURNING day",  # noqa: S608 (quoted table name)
            [connection.ops.adapt_datefield_value(day) for day in days],
        )
        return {day if isinstance(day, date) else date.fromisoformat(day) for (day,) in cursor.fetchall()}


def _received_on(days: Iterable[date], field: str = "received_at") -> Q:
    """Received on `days` (UTC), as one range of `field` per run of consecutive days."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return reduce(
        or_,
        (
            Q(
                **{
                    f"{field}__gte": datetime.combine(low, time.min, tzinfo=UTC),
                    f"{field}__lt": datetime.combine(high + timedelta(days=1), time.min, tzinfo=UTC),
                }
            )
            for low, high in runs
        ),
    )


def _recompute(days: set[date]) -> None:
    """Replace the roll-ups of `days` by what their referrals give now (inside the caller's
    transaction and lock). Rows go in day by day, so a period's rows sit together on disk."""
    if not days:
        return
    window = _received_on(days)
    day = TruncDate("received_at", tzinfo=UTC)
    for model in ROLLUPS:
        model.objects.filter(day__in=days).delete()
    referrals = Referral.objects.filter(window).order_by()
    # The groups' lowest and highest referral numbers bound the accounts' index scan below.
    groups = list(
        referral_groups(referrals, day, category=False).annotate(low=Min("seq"), high=Max("seq")).order_by("period")
    )
    DailyFigures.objects.bulk_create(
        (
            DailyFigures(
                day=row["period"],
                kind=row["kind"],
                submitter_kind=row["submitter_kind"],
                status=row["status"],
                queue_id=row["queue_id"],
                action=row["action"],
                received=row["n"],
                decided_by_due=row["by_due"],
                breached=row["breached_n"],
                decided_on_time=row["on_time"],
            )
            for row in groups
        ),
        batch_size=2000,
    )
    categories = referrals.annotate(day=day).values("day", "category").annotate(received=Count("seq")).order_by("day")
    DailyCategories.objects.bulk_create(DailyCategories(**row) for row in categories)
    if groups:
        suspended = (
            Subject.objects.filter(
                _received_on(days, "suspended_by__received_at"),
                suspended_by_id__gte=min(row["low"] for row in groups),  # redundant, but PostgreSQL's
                suspended_by_id__lte=max(row["high"] for row in groups),  # plan needs the range
                suspended_at__isnull=False,
            )
            .annotate(day=TruncDate("suspended_by__received_at", tzinfo=UTC))
            .annotate(since=Least(TruncDate("suspended_at", tzinfo=UTC), F("day")))
            .values("day", "since")
            .annotate(accounts=Count("pk"))
            .order_by("day", "since")
        )
        DailySuspensions.objects.bulk_create(DailySuspensions(**row) for row in suspended)
    buckets: dict[tuple[date, str, int], list[float]] = {}
    for received, kind, minutes in _decided_minutes(window, day):
        buckets.setdefault((received, kind, bucket_of(minutes)), []).append(minutes)
    DecisionMinutes.objects.bulk_create(
        (
            DecisionMinutes(day=received, kind=kind, bucket=bucket, decided=len(values), minutes=sorted(values))
            for (received, kind, bucket), values in sorted(buckets.items())
        ),
        batch_size=2000,
    )


def _decided_minutes(window: Q, day) -> Iterator[tuple[date, str, float]]:
    """(receipt day, kind, minutes to decision) of the decided referrals in `window`, each
    computed as `time_to_decision` computes it on this database."""
    decided = Referral.objects.filter(window, status__in=DECIDED, decided_at__isnull=False).order_by().annotate(day=day)
    if connection.vendor == "postgresql":
        yield from decided.annotate(minutes=MINUTES).values_list("day", "kind", "minutes").iterator()
        return
    rows = decided.values_list("day", "kind", "received_at", "decided_at", "paused_seconds").iterator()
    for received, kind, received_at, decided_at, paused in rows:
        yield received, kind, minutes_to_decision(received_at, max(decided_at, received_at), paused / 60)
