"""Reporting periods of the transparency report: quarters, half-years and custom spans.

A period is a pair of UTC dates, both inclusive. The page and the downloads take
`?period=2026-Q3` or `?period=2026-H1`, or `?start=YYYY-MM-DD&end=YYYY-MM-DD`; the API takes
`start` and `end` only. Every span is at most two years, so one request cannot ask the
database for the whole history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_SPAN_YEARS = 2
EARLIEST_YEAR = 2000

_PERIOD = re.compile(r"^(?P<year>\d{4})-(?P<part>Q[1-4]|H[12])$")


class PeriodError(ValueError):
    """Bad period input; `errors` maps each parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    code: str = ""  # "2026-Q3" / "2026-H1" for named periods, "" for custom spans

    @property
    def label(self) -> str:
        if self.code:
            year, part = self.code.split("-")
            names = {
                "Q1": _("First quarter of %(year)s"),
                "Q2": _("Second quarter of %(year)s"),
                "Q3": _("Third quarter of %(year)s"),
                "Q4": _("Fourth quarter of %(year)s"),
                "H1": _("First half-year of %(year)s"),
                "H2": _("Second half-year of %(year)s"),
            }
            return names[part] % {"year": year}
        return _("%(start)s to %(end)s") % {
            "start": dateformat.format(self.start, "j M Y"),
            "end": dateformat.format(self.end, "j M Y"),
        }

    def params(self) -> dict[str, str]:
        """Query parameters that select this period again (for download links)."""
        if self.code:
            return {"period": self.code}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def today_utc() -> date:
    return timezone.now().astimezone(UTC).date()


def _quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    end = _month_end(year, 3 * number)
    return Period(start, end, f"{year}-Q{number}")


def _half(year: int, number: int) -> Period:
    start = date(year, 1 if number == 1 else 7, 1)
    end = _month_end(year, 6 if number == 1 else 12)
    return Period(start, end, f"{year}-H{number}")


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def quarter_of(day: date) -> Period:
    return _quarter(day.year, (day.month - 1) // 3 + 1)


def named_period(code: str) -> Period:
    """`2026-Q3` → 1 Jul–30 Sep 2026; `2026-H1` → 1 Jan–30 Jun 2026."""
    match = _PERIOD.match(code.strip().upper())
    if not match:
        raise PeriodError({"period": [_("Use a quarter such as 2026-Q3 or a half-year such as 2026-H1.")]})
    year = int(match["year"])
    if year < EARLIEST_YEAR:
        raise PeriodError({"period": [_("Choose a year from %(year)d on.") % {"year": EARLIEST_YEAR}]})
    part = match["part"]
    return _quarter(year, int(part[1])) if part[0] == "Q" else _half(year, int(part[1]))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def span_errors(start: date, end: date) -> dict[str, list[str]]:
    """The rules every period follows, keyed by the parameter to blame."""
    if start.year < EARLIEST_YEAR:
        return {"start": [_("Choose a date from %(year)d on.") % {"year": EARLIEST_YEAR}]}
    if end < start:
        return {"end": [_("The end date must not be before the start date.")]}
    if end >= _add_years(start, MAX_SPAN_YEARS):
        return {
            "end": [
                ngettext(
                    "A period can span at most %(count)d year.",
                    "A period can span at most %(count)d years.",
                    MAX_SPAN_YEARS,
                )
                % {"count": MAX_SPAN_YEARS}
            ]
        }
    return {}


def custom_period(start: date, end: date) -> Period:
    errors = span_errors(start, end)
    if errors:
        raise PeriodError(errors)
    return Period(start, end)


def _parse_date(value: str | None, field: str, errors: dict[str, list[str]]) -> date | None:
    if value is None or not value.strip():
        errors[field] = [_("This field is required (YYYY-MM-DD).")]
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = [_("Enter a valid date as YYYY-MM-DD.")]
        return None


def period_from_params(params, *, today: date | None = None) -> Period:
    """The period a query string asks for; the current quarter when it asks for none.

    `period` wins over `start`/`end`. Raises PeriodError with a message per parameter.
    """
    code = (params.get("period") or "").strip()
    if code:
        return named_period(code)
    if not (params.get("start") or params.get("end")):
        return quarter_of(today or today_utc())
    return dates_from_params(params)


def dates_from_params(params) -> Period:
    """A custom period from `start` and `end`, both required."""
    errors: dict[str, list[str]] = {}
    start = _parse_date(params.get("start"), "start", errors)
    end = _parse_date(params.get("end"), "end", errors)
    if errors:
        raise PeriodError(errors)
    return custom_period(start, end)


def recent_periods(today: date | None = None, count: int = 8) -> list[Period]:
    """The chooser's options: the current and previous quarters, then recent half-years."""
    today = today or today_utc()
    current = quarter_of(today)
    quarters = []
    year, number = current.start.year, (current.start.month - 1) // 3 + 1
    for _step in range(count):
        quarters.append(_quarter(year, number))
        number -= 1
        if number == 0:
            year, number = year - 1, 4
    halves = []
    year, number = today.year, 1 if today.month <= 6 else 2
    for _step in range(4):
        halves.append(_half(year, number))
        number -= 1
        if number == 0:
            year, number = year - 1, 2
    return quarters + halves
