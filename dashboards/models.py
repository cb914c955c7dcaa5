"""The transparency report's per-day roll-ups (SPEC §8, §21).

Derived data only: `dashboards.transparency.rollups` recomputes a day's rows from the
referrals whenever database triggers (`dashboards.transparency.triggers`) have marked the day
dirty, so deleting every row here loses nothing that `rollups_rebuild()` cannot restore.
A day is a UTC date of receipt, as the report's periods are.
"""

from django.db import models


class DailyFigures(models.Model):
    """The referrals received on `day` with one combination of the report's dimensions, counted
    as the report counts them (see `dashboards.transparency.figures` for each definition). The
    category, which no other figure crosses with, has rows of its own (`DailyCategories`): a
    day has a few dozen rows here instead of several hundred."""

    day = models.DateField()
    kind = models.CharField(max_length=24)
    submitter_kind = models.CharField(max_length=20)  # the filing organisation's kind
    status = models.CharField(max_length=12)
    queue_id = models.BigIntegerField(null=True)  # a number only: roll-ups never stop a queue's deletion
    action = models.CharField(max_length=24, null=True)  # the decision's; null without one
    received = models.PositiveIntegerField()
    decided_by_due = models.PositiveIntegerField()  # decided, and by `due_at`
    breached = models.PositiveIntegerField()
    decided_on_time = models.PositiveIntegerField()  # decided, and on time (`ON_TIME`)

    class Meta:
        indexes = [models.Index(fields=["day"], name="daily_figures_day")]

    def __str__(self):
        return f"{self.day} {self.kind} {self.status}: {self.received}"


class DecisionMinutes(models.Model):
    """The minutes to decision of the decided referrals of one `kind` received on `day` whose
    minutes fall in `bucket`, sorted: percentiles read the bucket counts first, then the
    values of the one or two buckets a percentile falls in (`rollups.decision_times`)."""

    day = models.DateField()
    kind = models.CharField(max_length=24)
    bucket = models.IntegerField()  # rollups.bucket_of: grows with the minutes
    decided = models.PositiveIntegerField()
    minutes = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["day", "kind", "bucket"], name="decision_minutes_day")]

    def __str__(self):
        return f"{self.day} {self.kind} bucket {self.bucket}: {self.decided}"


class DailyCategories(models.Model):
    """The referrals received on `day` in `category`."""

    day = models.DateField()
    category = models.CharField(max_length=24)
    received = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="daily_categories_day")]

    def __str__(self):
        return f"{self.day} {self.category}: {self.received}"


class DailySuspensions(models.Model):
    """Accounts suspended by a referral received on `day` (`Subject.suspended_by`), by `since`:
    the day of the suspension, or `day` itself when the suspension came later (nearly always).
    A period holding `day` counts them when `since` is in it too, which is the report's test
    `suspended_at` ≥ the period's start."""

    day = models.DateField()
    since = models.DateField()
    accounts = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "since"], name="daily_suspensions_day")]

    def __str__(self):
        return f"{self.day} (since {self.since}): {self.accounts}"


class DirtyDay(models.Model):
    """A day whose roll-ups may be out of date: written by the triggers, one row per writing
    statement and day (no uniqueness, so a writer never waits for another), deleted by the
    refresh that recomputes the day."""

    day = models.DateField(db_index=True)

    def __str__(self):
        return str(self.day)
