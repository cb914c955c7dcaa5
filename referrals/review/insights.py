"""Insights for queue leads (SPEC §15): how each queue and each reviewer is doing over a period.

A selector: it reads, for queue leads only (everyone else gets nothing), and aggregates in
the database, so the number of queries is fixed whatever the number of referrals, queues or
reviewers (seven; the page's two daily charts add two).

The period is a pair of UTC dates, both inclusive (`start` 00:00 UTC up to the end of `end`),
by default the last 7 days up to today; at most MAX_DAYS days, ending today at the latest.
Referrals count in the queue they are in now (an escalated one in `escalations`).

Per queue:

- ``arrivals``: referrals received in the period and routed into the queue (duplicates,
  closed by routing itself, are not work and do not count). Routing follows receipt within
  seconds, so this is the queue's intake; the receipt time is the indexed one.
- ``decided``: the queue's referrals decided in the period (``decided_at``), including those a
  decision on the same account closed with it.
- ``backlog``: open now: waiting, claimed or waiting for the submitter's answer (routed,
  in review, needs information).
- ``median_minutes_to_decision``: the median of ``decided_at − received_at`` over the decided
  ones, in minutes (null when none).
- ``sla_met_share``: of the decided ones with a deadline, the share decided by it, 0–1 (null
  when none). "By it" is the deadline clock's own test, ``decided_at ≤ due_at`` with every
  pause added to ``due_at``, which is what ``Decision.on_time`` records.
- ``decisions_per_hour``: decided ÷ the *active hours*: the clock hours (UTC) of the period in
  which the queue recorded at least one decision. This is the pace while someone works the
  queue, not diluted by nights and weekends, so the two forecasts below are in working hours
  (null when nothing was decided).
- ``forecast_clear_hours``: backlog ÷ decisions_per_hour: the working hours the queue needs to
  clear its backlog at that pace, with nothing new arriving (null when the rate is 0).
- ``reviewers_needed``: how many reviewers, each deciding at the queue's measured
  per-reviewer rate (its decided ÷ its reviewer-hours: for each reviewer, the clock hours in
  which they decided at least one of its referrals, summed), clear the backlog within the
  queue's SLA: ``ceil(backlog ÷ (per-reviewer rate × SLA hours))`` (0 for an empty backlog;
  null when the rate is 0).

Per reviewer (everyone who recorded a decision or revealed media in the period), most
decisions first: ``decided`` (the decisions they recorded), their ``decisions_per_hour``
(decided ÷ the clock hours in which they decided at least one) and ``reveals`` (media
revealed: ExposureDay summed over the period's days).

Per day (the page's charts): decisions per day, every queue together; and the backlog at the
end of each day (today: now), every queue together: referrals received by then, routed, and
neither decided nor withdrawn by then. Withdrawals are looked up among the referrals received
from WITHDRAWAL_LOOKBACK before the period on (a submitter withdraws within days; scanning every
withdrawal ever made would cost a read of each), so one withdrawn after waiting longer than
that is missing from the days before its withdrawal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Floor, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from referrals.models import DECIDED_STATUSES, Decision, ExposureDay, Queue, Referral, Status
from referrals.review.permissions import can_see_insights
from referrals.review.selectors import WORKLIST_STATUSES, EpochSeconds

DEFAULT_DAYS = 7
MAX_DAYS = 92
EARLIEST = date(2000, 1, 1)
WITHDRAWAL_LOOKBACK = timedelta(days=30)
EPOCH = date(1970, 1, 1)


# --- The period ---------------------------------------------------------------------------------


class PeriodError(ValueError):
    """Bad `start`/`end`; `errors` maps each parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def low(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def high(self) -> datetime:
        """The instant after the period: the day after `end`, 00:00 UTC."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def params(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def today_utc() -> date:
    return timezone.now().astimezone(UTC).date()


def _parse(raw, name: str, errors: dict) -> date | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def insight_period(params, *, today: date | None = None) -> Period:
    """The period `params` (a query string) asks for: `start` and `end` (YYYY-MM-DD, UTC,
    both inclusive); a missing `end` is today, a missing `start` DEFAULT_DAYS days up to
    `end`. Raises PeriodError with a message per parameter."""
    today = today or today_utc()
    errors: dict[str, list[str]] = {}
    start = _parse(params.get("start"), "start", errors)
    end = _parse(params.get("end"), "end", errors)
    if errors:
        raise PeriodError(errors)
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start < EARLIEST:
        errors["start"] = [_("Choose a date from %(year)d on.") % {"year": EARLIEST.year}]
    elif end > today:
        errors["end"] = [_("The end date must not be after today (UTC).")]
    elif end < start:
        errors["end"] = [_("The end date must not be before the start date.")]
    elif (end - start).days + 1 > MAX_DAYS:
        errors["end"] = [
            ngettext("A period can span at most %(count)d day.", "A period can span at most %(count)d days.", MAX_DAYS)
            % {"count": MAX_DAYS}
        ]
    if errors:
        raise PeriodError(errors)
    return Period(start, end)


# --- The figures --------------------------------------------------------------------------------


@dataclass
class QueueInsight:
    queue: Queue
    arrivals: int = 0
    decided: int = 0
    backlog: int = 0
    median_minutes_to_decision: float | None = None
    sla_met_share: float | None = None
    decisions_per_hour: float | None = None
    forecast_clear_hours: float | None = None
    reviewers_needed: int | None = None

    @property
    def slug(self) -> str:
        return self.queue.slug

    @property
    def name(self) -> str:
        return self.queue.name

    @property
    def sla_minutes(self) -> int:
        return self.queue.sla_minutes


@dataclass
class ReviewerInsight:
    name: str
    decided: int = 0
    decisions_per_hour: float | None = None
    reveals: int = 0


@dataclass
class Insights:
    period: Period
    queues: list[QueueInsight] = field(default_factory=list)
    reviewers: list[ReviewerInsight] = field(default_factory=list)
    # (day, count) for each day of the period: filled in with `daily=True`.
    decisions_per_day: list[tuple[date, int]] = field(default_factory=list)
    backlog_per_day: list[tuple[date, int]] = field(default_factory=list)


class Median(Aggregate):
    """PostgreSQL's continuous median (the mean of the middle two for an even count)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _minutes_to_decision():
    return (EpochSeconds("decided_at") - EpochSeconds("received_at")) / 60.0


def _decided_in(period: Period):
    return Referral.objects.filter(
        queue__isnull=False, decided_at__gte=period.low, decided_at__lt=period.high
    ).order_by()


def _medians(period: Period) -> dict[int, float]:
    """The median minutes to decision per queue, in one query: percentile_cont on
    PostgreSQL; elsewhere (SQLite) the one or two middle rows of each queue, picked by a
    row number over the queue's decisions, so at most two rows per queue come back."""
    decided = _decided_in(period)
    if connection.vendor == "postgresql":
        rows = decided.values("queue_id").annotate(median=Median(_minutes_to_decision()))
        return {row["queue_id"]: row["median"] for row in rows}
    minutes = _minutes_to_decision()
    middle = (
        decided.annotate(
            minutes=minutes,
            position=Window(RowNumber(), partition_by=[F("queue_id")], order_by=[minutes.asc(), F("seq").asc()]),
            size=Window(Count("seq"), partition_by=[F("queue_id")]),
        )
        # The middle row of an odd count (2·position = size + 1), the middle two of an even one.
        .annotate(twice=F("position") * 2)
        .filter(twice__gte=F("size"), twice__lte=F("size") + 2)
        .values_list("queue_id", "minutes")
    )
    found: dict[int, list[float]] = defaultdict(list)
    for queue_id, value in middle:
        found[queue_id].append(value)
    return {queue_id: sum(values) / len(values) for queue_id, values in found.items()}


@dataclass
class _Tally:
    """Decisions in the period counted per queue, per reviewer and per hour, from one query."""

    decided: Counter = field(default_factory=Counter)
    met: Counter = field(default_factory=Counter)
    judged: Counter = field(default_factory=Counter)
    hours: defaultdict = field(default_factory=lambda: defaultdict(set))  # queue → {hour}
    reviewer_hours: defaultdict = field(default_factory=lambda: defaultdict(set))  # queue → {(who, hour)}
    by_reviewer: Counter = field(default_factory=Counter)
    reviewer_active: defaultdict = field(default_factory=lambda: defaultdict(set))  # who → {hour}
    per_day: Counter = field(default_factory=Counter)


def _tally(period: Period) -> _Tally:
    """One query grouped by (queue, decider, hour): its rows are bounded by queues × people ×
    hours, not by referrals. The decider is read per referral through the decision's unique
    index (a correlated subquery: a join would make PostgreSQL read every decision ever made);
    the hour is a number (hours since 1970, UTC), which costs nothing to convert."""
    decider = Decision.objects.filter(referral_id=OuterRef("seq")).values("decided_by_id")[:1]
    rows = (
        _decided_in(period)
        .annotate(decider=Subquery(decider), hour=Floor(EpochSeconds("decided_at") / 3600))
        .values("queue_id", "decider", "hour")
        .annotate(
            n=Count("seq"),
            met=Count("seq", filter=Q(decided_at__lte=F("due_at"))),
            judged=Count("seq", filter=Q(due_at__isnull=False)),
        )
        .values_list("queue_id", "decider", "hour", "n", "met", "judged")
    )
    tally = _Tally()
    per_hour: Counter = Counter()
    for queue, who, hour, n, met, judged in rows:
        hour = int(hour)
        tally.decided[queue] += n
        tally.met[queue] += met
        tally.judged[queue] += judged
        tally.hours[queue].add(hour)
        tally.reviewer_hours[queue].add((who, hour))
        per_hour[hour] += n
        if who is not None:
            tally.by_reviewer[who] += n
            tally.reviewer_active[who].add(hour)
    for hour, n in per_hour.items():
        tally.per_day[EPOCH + timedelta(days=hour // 24)] += n
    return tally


def _needed(backlog: int, decided: int, reviewer_hours: int, sla_minutes: int) -> int | None:
    """ceil(backlog ÷ (decided/reviewer_hours × sla_minutes/60)), in integers so that an exact
    quotient is never rounded up by a float's last bit."""
    if not decided or not reviewer_hours or not sla_minutes:
        return None
    return -(-backlog * reviewer_hours * 60 // (decided * sla_minutes))


def _queue_figures(queue: Queue, arrivals: dict, backlog: dict, medians: dict, tally: _Tally) -> QueueInsight:
    item = QueueInsight(
        queue=queue,
        arrivals=arrivals.get(queue.pk, 0),
        decided=tally.decided[queue.pk],
        backlog=backlog.get(queue.pk, 0),
    )
    median = medians.get(queue.pk)
    item.median_minutes_to_decision = round(median, 1) if median is not None else None
    if tally.judged[queue.pk]:
        item.sla_met_share = round(tally.met[queue.pk] / tally.judged[queue.pk], 3)
    hours = len(tally.hours[queue.pk])
    if item.decided and hours:
        rate = item.decided / hours
        item.decisions_per_hour = round(rate, 2)
        item.forecast_clear_hours = round(item.backlog / rate, 1)
    item.reviewers_needed = _needed(item.backlog, item.decided, len(tally.reviewer_hours[queue.pk]), queue.sla_minutes)
    return item


def queue_insights(user, period: Period, *, daily: bool = False, now: datetime | None = None) -> Insights:
    """Every queue's and every active reviewer's figures over `period` (see the module's
    docstring), in seven queries; with `daily`, the decisions and backlog per day too (two
    more). Empty for anyone but a queue lead."""
    insights = Insights(period=period)
    if not can_see_insights(user):
        return insights
    queues = list(Queue.objects.all())
    queue_ids = [q.pk for q in queues]
    arrivals = dict(
        Referral.objects.filter(queue_id__in=queue_ids, received_at__gte=period.low, received_at__lt=period.high)
        .exclude(status=Status.DUPLICATE)
        .order_by()
        .values("queue_id")
        .annotate(n=Count("seq"))
        .values_list("queue_id", "n")
    )
    # Counting rows, not a column, lets PostgreSQL answer from the work-list index alone.
    backlog = dict(
        Referral.objects.filter(queue_id__in=queue_ids, status__in=WORKLIST_STATUSES)
        .order_by()
        .values("queue_id")
        .annotate(n=Count("*"))
        .values_list("queue_id", "n")
    )
    tally = _tally(period)
    medians = _medians(period)
    insights.queues = [_queue_figures(queue, arrivals, backlog, medians, tally) for queue in queues]
    insights.reviewers = _reviewers(period, tally)
    if daily:
        insights.decisions_per_day = [(day, tally.per_day[day]) for day in period.days]
        insights.backlog_per_day = _backlog_per_day(period, queue_ids, now=now or timezone.now())
    return insights


def _reviewers(period: Period, tally: _Tally) -> list[ReviewerInsight]:
    """Two queries: reveals per person, then the names of everyone counted."""
    reveals = dict(
        ExposureDay.objects.filter(day__gte=period.start, day__lte=period.end, reveals__gt=0)
        .order_by()
        .values("user_id")
        .annotate(n=Sum("reveals"))
        .values_list("user_id", "n")
    )
    ids = set(tally.by_reviewer) | set(reveals)
    names = {
        pk: name or email
        for pk, name, email in get_user_model().objects.filter(pk__in=ids).values_list("pk", "name", "email")
    }
    people = []
    for pk in ids:
        decided, hours = tally.by_reviewer[pk], len(tally.reviewer_active[pk])
        people.append(
            ReviewerInsight(
                name=names.get(pk, ""),
                decided=decided,
                decisions_per_hour=round(decided / hours, 2) if decided and hours else None,
                reveals=reveals.get(pk, 0),
            )
        )
    return sorted(people, key=lambda p: (-p.decided, -p.reveals, p.name.casefold()))


def _backlog_per_day(period: Period, queue_ids: list[int], *, now: datetime) -> list[tuple[date, int]]:
    """The backlog at the end of each day (today: now), every queue together, in two queries
    with a conditional count per day: those open now that had arrived by then (answered from
    the work-list index alone), and those closed since that were open then (decided ones by
    the decided_at index; withdrawn ones by status, received from WITHDRAWAL_LOOKBACK before
    the period)."""
    ends = [min(datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC), now) for day in period.days]
    still_open = Referral.objects.filter(queue_id__in=queue_ids, status__in=WORKLIST_STATUSES).aggregate(
        **{f"d{n}": Count("received_at", filter=Q(received_at__lt=end)) for n, end in enumerate(ends)}
    )
    first = ends[0]
    closed_since = Referral.objects.filter(
        Q(status__in=DECIDED_STATUSES, decided_at__gte=first)
        | Q(status=Status.WITHDRAWN, received_at__gte=period.low - WITHDRAWAL_LOOKBACK, closed_at__gte=first),
        queue_id__in=queue_ids,
    ).aggregate(
        **{f"d{n}": Count("seq", filter=Q(received_at__lt=end, closed_at__gte=end)) for n, end in enumerate(ends)}
    )
    return [(day, (still_open[f"d{n}"] or 0) + (closed_since[f"d{n}"] or 0)) for n, day in enumerate(period.days)]


__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "Insights",
    "Period",
    "PeriodError",
    "QueueInsight",
    "ReviewerInsight",
    "insight_period",
    "queue_insights",
]
