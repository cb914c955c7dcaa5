"""The month and week grids the campaign and training calendars share."""

from datetime import date

from portal.calendar import calendar_weeks, grid_span, month_after, month_before, month_end, parse_month


def test_a_month_grid_runs_from_the_monday_before_to_the_sunday_after():
    # March 2026 starts on a Sunday and ends on a Tuesday.
    weeks = calendar_weeks(date(2026, 3, 1), date(2026, 3, 31), today=date(2026, 3, 10), items=[], day_of=None)
    assert (weeks[0][0].date, weeks[-1][-1].date) == (date(2026, 2, 23), date(2026, 4, 5))
    assert all(len(week) == 7 for week in weeks) and len(weeks) == 6
    assert [d.date.day for d in weeks[0] if d.in_range] == [1]
    assert [d.date for week in weeks for d in week if d.today] == [date(2026, 3, 10)]


def test_a_week_grid_is_the_week_itself():
    weeks = calendar_weeks(date(2026, 3, 2), date(2026, 3, 8), today=date(2026, 1, 1), items=[], day_of=None)
    assert len(weeks) == 1 and all(d.in_range for d in weeks[0])
    assert grid_span(date(2026, 3, 2), date(2026, 3, 8)) == (date(2026, 3, 2), date(2026, 3, 8))


def test_each_item_lands_on_its_day_in_the_order_given():
    items = [("b", date(2026, 3, 4)), ("a", date(2026, 3, 4)), ("c", date(2026, 3, 30)), ("x", date(2026, 5, 1))]
    weeks = calendar_weeks(
        date(2026, 3, 1), date(2026, 3, 31), today=date(2026, 3, 1), items=items, day_of=lambda item: item[1]
    )
    placed = {d.date: [name for name, _ in d.items] for week in weeks for d in week if d.items}
    assert placed == {date(2026, 3, 4): ["b", "a"], date(2026, 3, 30): ["c"]}


def test_months_step_across_years_and_lengths():
    assert month_before(date(2026, 1, 1)) == date(2025, 12, 1)
    assert month_after(date(2025, 12, 1)) == date(2026, 1, 1)
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2026, 4, 1)) == date(2026, 4, 30)


def test_a_month_is_read_from_year_dash_month_or_not_at_all():
    assert parse_month("2026-03") == date(2026, 3, 1)
    assert [parse_month(v) for v in ("", None, "2026-13", "2026-3", "March", "0001-01")] == [None] * 6
