"""The transparency roll-ups on PostgreSQL, where the triggers are statement-level with
transition tables and the direct percentiles are `percentile_cont`'s: the same comparisons as
the unit tests, the interpolation against PostgreSQL's own, and writes that commit while a
refresh runs."""

from datetime import UTC, date, datetime
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max, Min
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboards.models import DailyFigures, DirtyDay
from dashboards.transparency import compute_figures, rollups
from dashboards.transparency.figures import compute_figures_direct
from dashboards.transparency.rollups import _percentile, rollups_refresh
from referrals.models import Referral, Status
from tests.dashboards.test_transparency_dataset import make
from tests.dashboards.transparency.test_rollups import (  # noqa: F401 (tests and fixtures run here again)
    organisations,
    refreshed,
    test_a_rebuild_recomputes_every_day_and_drops_days_without_referrals,
    test_a_write_marks_the_receipt_days_it_changes_and_the_figures_follow,
    test_a_write_to_columns_no_figure_reads_marks_nothing,
    test_the_figures_refresh_only_the_marked_days_of_their_period,
    test_the_roll_ups_give_the_direct_figures_for_every_period_through_writes_of_every_kind,
    test_without_the_triggers_the_roll_ups_go_stale,
)

DAY = date(2026, 2, 10)


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False), min_size=1, max_size=60),
    st.sampled_from([50, 90]),
)
def test_the_interpolation_is_percentile_conts_to_the_last_bit(values, p):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT percentile_cont({p / 100!r}) WITHIN GROUP (ORDER BY v) FROM unnest(%s::float8[]) AS v", [values]
        )
        (expected,) = cursor.fetchone()
    ordered = sorted(values)
    assert _percentile(ordered.__getitem__, len(ordered), p) == expected


# --- Writes that commit while a refresh runs ------------------------------------------------------


def _writer() -> psycopg.Connection:
    """A second session on the test database, as another process writing beside the refresh."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        options="-c lock_timeout=5000 -c statement_timeout=10000",  # a wait here is the failure
    )


def _withdraw(writer: psycopg.Connection, referral: Referral) -> None:
    writer.execute("UPDATE referrals_referral SET status = %s WHERE seq = %s", [Status.WITHDRAWN, referral.seq])


@pytest.fixture
def on_day(transactional_db, ngo):
    """Two routed referrals received on DAY, its roll-ups refreshed, then one marker left for it."""
    at = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC)
    first = make(ngo, "notice", "other", "routed", at)
    rollups_refresh()
    make(ngo, "notice", "other", "routed", at)
    assert set(DirtyDay.objects.values_list("day", flat=True)) == {DAY}
    return first


def _assert_exact_after_the_next_refresh(withdrawn: int) -> None:
    assert set(DirtyDay.objects.values_list("day", flat=True)) == {DAY}
    figures = compute_figures(DAY, DAY)
    assert figures == compute_figures_direct(DAY, DAY)
    assert {row["outcome"]: row["count"] for row in figures["outcomes"]}["withdrawn"] == withdrawn


def test_a_write_uncommitted_when_a_refresh_starts_leaves_its_day_marked(on_day):
    # The writer's marker is not yet visible to the refresh; the marker the refresh takes (the
    # second referral's) is, and seeing it must not make the writer skip its own.
    with _writer() as writer:
        _withdraw(writer, on_day)
        assert rollups_refresh() == 1
        writer.commit()
    _assert_exact_after_the_next_refresh(withdrawn=1)


def test_a_writer_never_waits_for_a_refresh_and_its_day_stays_marked(on_day):
    with transaction.atomic():
        rollups._lock()
        assert rollups._take_markers([DAY]) == {DAY}
        with _writer() as writer:  # commits within its lock timeout while the refresh holds its lock
            _withdraw(writer, on_day)
            writer.commit()
        rollups._recompute({DAY})
    _assert_exact_after_the_next_refresh(withdrawn=1)


def test_refreshes_take_turns(on_day):
    with transaction.atomic():
        rollups._lock()
        with _writer() as other, pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("SET lock_timeout = 200")
            other.execute("SELECT pg_advisory_xact_lock(%s)", [rollups.LOCK_KEY])


def test_generated_load_ends_with_its_roll_ups_rebuilt(transactional_db, routing_table):
    # The generator writes with the triggers off (session_replication_role = replica), so
    # nothing marks its days: without the rebuild the report would read nothing.
    call_command("generate_load", referrals=300, seed=3, batch=100, stdout=StringIO())
    assert DailyFigures.objects.exists()
    assert not DirtyDay.objects.exists()
    span = Referral.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    start, end = (span[key].astimezone(UTC).date() for key in ("first", "last"))
    assert compute_figures(start, end) == compute_figures_direct(start, end)
