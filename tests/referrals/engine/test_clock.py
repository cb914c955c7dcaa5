"""SPEC §4.4, §5, §8: deadlines, pauses, breach and at-risk flags, time-to-decision figures."""

from datetime import UTC, datetime, timedelta

import pytest

from referrals.engine.clock import (
    AT_RISK_SHARE,
    LEGAL_CLOCK_MINUTES,
    Clock,
    due_after,
    median,
    minutes_to_decision,
    percentile,
    resume,
)

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def removal_order(**fields) -> Clock:
    """A removal order received at T, due at T+60."""
    return Clock(received_at=T, due_at=due_after(T, LEGAL_CLOCK_MINUTES), **fields)


def test_constants():
    assert LEGAL_CLOCK_MINUTES == 60
    assert AT_RISK_SHARE == 0.2


def test_removal_order_is_due_sixty_minutes_after_receipt():
    assert removal_order().due_at == T + minutes(60)


def test_pause_of_ten_minutes_moves_the_deadline_to_seventy():
    due = resume(T + minutes(60), paused_at=T + minutes(5), resumed_at=T + minutes(15))
    assert due == T + minutes(70)


def test_two_pauses_add_up():
    due = resume(T + minutes(60), T + minutes(5), T + minutes(15))
    due = resume(due, T + minutes(30), T + minutes(33))
    assert due == T + minutes(73)


def test_zero_length_pause_changes_nothing():
    assert resume(T + minutes(60), T + minutes(5), T + minutes(5)) == T + minutes(60)


def test_resume_before_pause_is_refused():
    with pytest.raises(ValueError, match="resume before"):
        resume(T + minutes(60), T + minutes(10), T + minutes(9))


@pytest.mark.parametrize(("decided", "met"), [(59, True), (60, True), (61, False), (0, True), (600, False)])
def test_met_deadline(decided, met):
    assert removal_order(decided_at=T + minutes(decided)).met_deadline() is met


def test_met_deadline_is_unknown_until_decided():
    assert removal_order().met_deadline() is None


def test_decision_after_a_pause_is_judged_against_the_extended_deadline():
    due = resume(T + minutes(60), T + minutes(5), T + minutes(15))
    clock = Clock(received_at=T, due_at=due, decided_at=T + minutes(65))
    assert clock.met_deadline() is True


@pytest.mark.parametrize(("now", "left"), [(0, 60), (15, 45), (60, 0), (75, -15)])
def test_remaining_counts_down_and_goes_negative(now, left):
    assert removal_order().remaining(T + minutes(now)) == minutes(left)


def test_remaining_is_frozen_while_paused():
    clock = removal_order(paused_at=T + minutes(20))
    assert clock.remaining(T + minutes(20)) == minutes(40)
    assert clock.remaining(T + minutes(90)) == minutes(40)
    assert clock.remaining(T + minutes(500)) == minutes(40)


def test_remaining_is_frozen_at_the_decision():
    clock = removal_order(decided_at=T + minutes(50))
    assert clock.remaining(T + minutes(50)) == minutes(10)
    assert clock.remaining(T + minutes(300)) == minutes(10)


def test_remaining_after_a_late_decision_is_negative():
    assert removal_order(decided_at=T + minutes(61)).remaining(T + minutes(90)) == minutes(-1)


@pytest.mark.parametrize(("now", "breached"), [(0, False), (60, False), (61, True), (600, True)])
def test_is_breached_once_past_due(now, breached):
    assert removal_order().is_breached(T + minutes(now)) is breached


def test_is_breached_one_second_after_due():
    clock = removal_order()
    assert clock.is_breached(T + minutes(60) + timedelta(seconds=1)) is True


def test_a_paused_clock_is_not_breached():
    assert removal_order(paused_at=T + minutes(30)).is_breached(T + minutes(120)) is False


def test_a_decided_clock_is_not_breached_even_if_late():
    assert removal_order(decided_at=T + minutes(90)).is_breached(T + minutes(120)) is False


@pytest.mark.parametrize(
    ("now", "at_risk"),
    [
        (0, False),
        (47, False),
        (47.9, False),
        (48, True),  # 12 of 60 minutes left: the last 20 %
        (55, True),
        (60, True),  # due now, not yet breached
        (61, False),  # breached, which is a different flag
    ],
)
def test_is_at_risk_in_the_last_fifth(now, at_risk):
    assert removal_order().is_at_risk(T + minutes(now)) is at_risk


def test_at_risk_scales_with_the_queue_sla():
    clock = Clock(received_at=T, due_at=T + minutes(720))  # 12 h: at risk from 9 h 36 min
    assert clock.is_at_risk(T + minutes(575)) is False
    assert clock.is_at_risk(T + minutes(576)) is True


def test_paused_and_decided_clocks_are_never_at_risk():
    assert removal_order(paused_at=T + minutes(55)).is_at_risk(T + minutes(56)) is False
    assert removal_order(decided_at=T + minutes(55)).is_at_risk(T + minutes(56)) is False


def test_budget_excludes_completed_pauses():
    # paused for 60 minutes: due at T+120, but the budget is still the legal 60 minutes
    due = resume(T + minutes(60), T + minutes(10), T + minutes(70))
    clock = Clock(received_at=T, due_at=due, paused_total=minutes(60))
    assert clock.budget == minutes(60)
    assert clock.is_at_risk(T + minutes(107)) is False  # 13 minutes left
    assert clock.is_at_risk(T + minutes(108)) is True  # 12 minutes left: 20 % of 60


def test_budget_without_paused_total_is_the_stretched_span():
    due = resume(T + minutes(60), T + minutes(10), T + minutes(70))
    clock = Clock(received_at=T, due_at=due)
    assert clock.budget == minutes(120)
    assert clock.is_at_risk(T + minutes(96)) is True  # earlier than with the true budget


@pytest.mark.parametrize(
    ("received", "decided", "paused", "expected"),
    [
        (T, T + minutes(59), 0, 59.0),
        (T, T + minutes(61), 0, 61.0),
        (T, T + minutes(70), 10, 60.0),
        (T, T + timedelta(seconds=90), 0, 1.5),
        (T, T, 0, 0.0),
        (T, T + minutes(5), 10, 0.0),
        (T, T + timedelta(days=2), 0, 2880.0),
    ],
)
def test_minutes_to_decision(received, decided, paused, expected):
    assert minutes_to_decision(received, decided, paused) == pytest.approx(expected)


def test_minutes_to_decision_refuses_a_decision_before_receipt():
    with pytest.raises(ValueError, match="before it was received"):
        minutes_to_decision(T, T - minutes(1))


def test_minutes_to_decision_refuses_negative_pauses():
    with pytest.raises(ValueError, match="negative"):
        minutes_to_decision(T, T + minutes(10), -1)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        # hand-computed: rank = (n - 1) * p / 100, interpolated between neighbours
        ([1, 2, 3, 4, 5], 50, 3.0),  # rank 2
        ([1, 2, 3, 4], 50, 2.5),  # rank 1.5 -> 2 + 0.5 * (3 - 2)
        ([1, 2, 3, 4, 5], 90, 4.6),  # rank 3.6 -> 4 + 0.6 * (5 - 4)
        ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90, 91.0),  # rank 8.1 -> 90 + 0.1 * 10
        ([15, 20, 35, 40, 50], 40, 29.0),  # rank 1.6 -> 20 + 0.6 * (35 - 20)
        ([5, 1, 4, 2, 3], 25, 2.0),  # unsorted input; rank 1
        ([3, 1, 2], 0, 1.0),  # minimum
        ([3, 1, 2], 100, 3.0),  # maximum
        ([7], 90, 7.0),
        ([2.5, 2.5], 50, 2.5),
        ([0, 60], 10, 6.0),  # rank 0.1 -> 0 + 0.1 * 60
    ],
)
def test_percentile_interpolates_linearly(values, p, expected):
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_of_nothing_is_none():
    assert percentile([], 90) is None


@pytest.mark.parametrize("p", [-1, 100.5, 1000])
def test_percentile_refuses_p_outside_0_to_100(p):
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1, 2, 3], p)


def test_percentile_does_not_reorder_the_callers_list():
    values = [3, 1, 2]
    percentile(values, 50)
    assert values == [3, 1, 2]


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1, 3, 2], 2.0), ([4, 1, 3, 2], 2.5), ([60.0], 60.0), ((59, 61), 60.0), ([], None)],
)
def test_median(values, expected):
    assert median(values) == expected
