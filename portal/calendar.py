"""Month and week grids for calendar pages (campaign content, training events): which days a
page shows, Monday first, and what falls on each."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import dates

# (name, abbreviation), Monday first like the grid; Django's translated names (lazy).
WEEKDAYS = [(dates.WEEKDAYS[i], dates.WEEKDAYS_ABBR[i]) for i in range(7)]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> date | None:
    """`YYYY-MM` → the first day of that month, or None when absent or malformed."""
    match = _MONTH.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return date(year, month, 1)


def month_before(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def month_after(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(first: date) -> date:
    return month_after(first) - timedelta(days=1)


def grid_span(start: date, end: date) -> tuple[date, date]:
    """The whole weeks around `start`…`end`: the Monday on or before, the Sunday on or after."""
    return start - timedelta(days=start.weekday()), end + timedelta(days=6 - end.weekday())


@dataclass(frozen=True)
class Day:
    date: date
    in_range: bool  # inside the month or week shown, not a neighbour filling the grid
    today: bool
    items: list = field(default_factory=list)


def calendar_weeks(
    start: date, end: date, *, today: date, items: Iterable[Any], day_of: Callable[[Any], date]
) -> list[list[Day]]:
    """The weeks (Monday to Sunday) covering `start`…`end`, each day with the `items` whose
    `day_of(item)` it is, in the order given."""
    by_day: dict[date, list] = {}
    for item in items:
        by_day.setdefault(day_of(item), []).append(item)
    first, last = grid_span(start, end)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [
        [Day(d, in_range=start <= d <= end, today=d == today, items=by_day.get(d, [])) for d in days[i : i + 7]]
        for i in range(0, len(days), 7)
    ]
