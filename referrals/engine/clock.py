"""Deadline clocks and time-to-decision figures (SPEC §4.4, §5, §8).

Pure Python: `now` is always passed in, never read, so pages, the API, the breach sweeper
and the transparency report agree on one definition of "late" and "at risk".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

LEGAL_CLOCK_MINUTES = 60
AT_RISK_SHARE = 0.2


@dataclass(frozen=True)
class Clock:
    """One referral's deadline.

    `due_at` already includes every completed pause (see `resume`); `paused_at` is set while
    the clock is paused (`needs_info`); `decided_at` stops it for good. `paused_total` is the
    sum of completed pauses, so the budget is the time the rules allowed, not the wall-clock
    span stretched by waiting on the submitter. Callers that do not track it get the
    stretched budget, which flags referrals as at risk earlier, never later.
    """

    received_at: datetime
    due_at: datetime
    paused_at: datetime | None = None
    decided_at: datetime | None = None
    paused_total: timedelta = timedelta(0)

    @property
    def budget(self) -> timedelta:
        """Time allowed from receipt to deadline, pauses excluded."""
        return self.due_at - self.received_at - self.paused_total

    def remaining(self, now: datetime) -> timedelta:
        """Time left before `due_at`; negative once overdue. Frozen while paused or decided."""
        if self.decided_at is not None:
            return self.due_at - self.decided_at
        if self.paused_at is not None:
            return self.due_at - self.paused_at
        return self.due_at - now

    def is_breached(self, now: datetime) -> bool:
        """Undecided, running and past `due_at`. A paused clock cannot breach."""
        return self.decided_at is None and self.paused_at is None and now > self.due_at

    def is_at_risk(self, now: datetime) -> bool:
        """Undecided, running, not breached, and within the last `AT_RISK_SHARE` of budget.

        A paused clock is never at risk: nobody can act until the submitter answers, and it
        is judged again from the moment it resumes.
        """
        if self.decided_at is not None or self.paused_at is not None:
            return False
        if self.is_breached(now):
            return False
        return self.remaining(now) <= self.budget * AT_RISK_SHARE

    def met_deadline(self) -> bool | None:
        """None until decided; then whether the decision came at or before `due_at`."""
        if self.decided_at is None:
            return None
        return self.decided_at <= self.due_at


def clock_of(referral) -> Clock | None:
    """The deadline clock of a referral (anything with its clock fields), None without a deadline."""
    if referral.due_at is None:
        return None
    return Clock(
        received_at=referral.received_at,
        due_at=referral.due_at,
        paused_at=referral.paused_at,
        decided_at=referral.decided_at,
        paused_total=timedelta(seconds=referral.paused_seconds),
    )


def due_after(received_at: datetime, minutes: int) -> datetime:
    """Deadline `minutes` after receipt."""
    return received_at + timedelta(minutes=minutes)


def resume(due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """New `due_at` after a pause: extended by exactly the pause length.

    A removal order received at T, paused for 10 minutes, is due at T+70.
    """
    if resumed_at < paused_at:
        raise ValueError("A clock cannot resume before it was paused.")
    return due_at + (resumed_at - paused_at)


def minutes_to_decision(received_at: datetime, decided_at: datetime, paused_minutes: float = 0) -> float:
    """Minutes the platform took to decide, excluding time paused waiting on the submitter."""
    if decided_at < received_at:
        raise ValueError("A referral cannot be decided before it was received.")
    if paused_minutes < 0:
        raise ValueError("Paused minutes cannot be negative.")
    elapsed = (decided_at - received_at).total_seconds() / 60
    return max(0.0, elapsed - paused_minutes)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The `p`-th percentile (0-100) by linear interpolation between closest ranks.

    The sorted values sit at ranks 0…n-1; the percentile is at rank (n-1)·p/100,
    interpolated between its neighbours (the "linear" method of NumPy and R type 7), so
    p=0 is the minimum, p=100 the maximum and p=50 the median. None for no values.
    """
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100.")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
    """The median (mean of the two middle values for an even count); None for no values."""
    return percentile(values, 50)
