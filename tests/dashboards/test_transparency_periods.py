"""Reporting periods: quarters, half-years and custom spans of at most two years."""

from datetime import date

import pytest

from dashboards.transparency.periods import (
    PeriodError,
    custom_period,
    named_period,
    period_from_params,
    quarter_of,
    recent_periods,
)


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2024-H1", date(2024, 1, 1), date(2024, 6, 30)),
        ("2026-h2", date(2026, 7, 1), date(2026, 12, 31)),
    ],
)
def test_named_periods_cover_whole_quarters_and_half_years(code, start, end):
    period = named_period(code)
    assert (period.start, period.end, period.code) == (start, end, code.upper())


def test_named_periods_have_readable_labels():
    assert named_period("2026-Q3").label == "Third quarter of 2026"
    assert named_period("2026-H1").label == "First half-year of 2026"
    assert custom_period(date(2026, 2, 1), date(2026, 2, 28)).label == "1 Feb 2026 to 28 Feb 2026"


@pytest.mark.parametrize("code", ["2026-Q5", "2026-H3", "26-Q1", "2026Q1", "1999-Q1", "Q1-2026"])
def test_malformed_period_codes_are_refused_on_the_period_field(code):
    with pytest.raises(PeriodError) as exc:
        named_period(code)
    assert set(exc.value.errors) == {"period"}


def test_a_span_of_two_years_is_the_longest_allowed():
    assert custom_period(date(2024, 1, 1), date(2025, 12, 31)).end == date(2025, 12, 31)
    with pytest.raises(PeriodError) as exc:
        custom_period(date(2024, 1, 1), date(2026, 1, 1))
    assert set(exc.value.errors) == {"end"}


def test_two_years_from_a_leap_day_ends_on_the_27th_of_february():
    assert custom_period(date(2024, 2, 29), date(2026, 2, 27))
    with pytest.raises(PeriodError):
        custom_period(date(2024, 2, 29), date(2026, 2, 28))


def test_a_one_day_period_is_allowed_and_an_inverted_one_is_not():
    assert custom_period(date(2026, 5, 5), date(2026, 5, 5))
    with pytest.raises(PeriodError) as exc:
        custom_period(date(2026, 5, 6), date(2026, 5, 5))
    assert exc.value.errors == {"end": ["The end date must not be before the start date."]}


def test_parameters_choose_a_named_period_before_dates_and_default_to_the_current_quarter():
    today = date(2026, 11, 28)
    assert period_from_params({}, today=today) == quarter_of(today)
    assert period_from_params({"period": "2026-Q1", "start": "2020-01-01"}, today=today).code == "2026-Q1"
    assert period_from_params({"start": "2026-01-05", "end": "2026-01-06"}, today=today).start == date(2026, 1, 5)
    with pytest.raises(PeriodError) as exc:
        period_from_params({"start": "2026-01-05"}, today=today)
    assert set(exc.value.errors) == {"end"}


def test_the_chooser_offers_eight_quarters_then_four_half_years_newest_first():
    periods = recent_periods(date(2026, 2, 10))
    codes = [p.code for p in periods]
    assert codes[:3] == ["2026-Q1", "2025-Q4", "2025-Q3"]
    assert codes[7] == "2024-Q2"
    assert codes[8:] == ["2026-H1", "2025-H2", "2025-H1", "2024-H2"]
