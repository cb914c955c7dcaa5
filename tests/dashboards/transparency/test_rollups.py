"""The per-day roll-ups give exactly the figures the direct computation gives, and stay current
through every kind of write without anyone refreshing them by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from hypothesis import given
from hypothesis import strategies as st

from dashboards import tasks
from dashboards.models import DailyCategories, DailyFigures, DailySuspensions, DecisionMinutes, DirtyDay
from dashboards.transparency import compute_figures, triggers
from dashboards.transparency.figures import compute_figures_direct
from dashboards.transparency.rollups import _percentile, bucket_of, rollups_rebuild, rollups_refresh
from partners.models import Organisation, OrganisationKind
from referrals.engine.clock import percentile
from referrals.models import Action, Decision, Ground, Referral, Status, Subject
from referrals.review.services.routing import referral_route_batch
from tests.dashboards.test_transparency_dataset import make
from tests.dashboards.transparency.scenario import FIRST, LAST, PERIODS, changes, spread
from tests.referrals.review_factories import received

pytestmark = pytest.mark.django_db


def assert_same_figures(periods=PERIODS) -> None:
    for start, end in periods:
        assert compute_figures(start, end) == compute_figures_direct(start, end), (start, end)


def marked() -> set[date]:
    return set(DirtyDay.objects.values_list("day", flat=True))


def day_of(referral: Referral) -> date:
    return referral.received_at.astimezone(UTC).date()


@pytest.fixture
def organisations(ngo, agency, platform):
    return [ngo, agency, platform]


@pytest.fixture
def refreshed(organisations):
    """Varied referrals with every day's roll-ups up to date and nothing marked."""
    referrals = spread(organisations, count=60)
    rollups_refresh()
    assert marked() == set()
    return referrals


# --- The same figures -----------------------------------------------------------------------------


def test_the_roll_ups_give_the_direct_figures_for_every_period_through_writes_of_every_kind(
    organisations, ngo_member, lead
):
    spread(organisations)
    before = compute_figures_direct(FIRST, LAST)
    assert before["received"] == 160
    assert {row["kind"] for row in before["time_to_decision"] if row["decided"]} == {
        "notice", "le_referral", "removal_order", "preservation_request", "emergency_request", "signal"
    }  # fmt: skip
    assert_same_figures()

    changes(ngo_member, lead)
    after = compute_figures_direct(FIRST, LAST)
    assert after["received"] == before["received"] + 7
    assert after != before
    assert_same_figures()

    Organisation.objects.filter(kind=OrganisationKind.LAW_ENFORCEMENT).update(kind=OrganisationKind.NGO)
    assert compute_figures_direct(FIRST, LAST)["by_submitter_kind"] != after["by_submitter_kind"]
    assert_same_figures()


def test_the_figures_change_with_a_write_before_any_refresh_runs(refreshed, ngo):
    before = compute_figures(FIRST, LAST)
    make(ngo, "notice", "other", "routed", datetime(2026, 2, 5, 10, tzinfo=UTC), queue="general", sla=60)
    after = compute_figures(FIRST, LAST)
    assert after["received"] == before["received"] + 1
    assert marked() == set()


# --- Each write marks the days it changes ---------------------------------------------------------


def _insert(referrals, ngo):
    referral = make(ngo, "notice", "other", "routed", datetime(2026, 2, 5, 10, tzinfo=UTC), queue="general", sla=60)
    return {day_of(referral)}


def _update(referrals, ngo):
    referral = referrals[3]
    Referral.objects.filter(pk=referral.pk).update(category="propaganda" if referral.category == "other" else "other")
    return {day_of(referral)}


def _move(referrals, ngo):
    referral = referrals[4]
    Referral.objects.filter(pk=referral.pk).update(received_at=F("received_at") + timedelta(days=40))
    return {day_of(referral), day_of(referral) + timedelta(days=40)}


def _delete(referrals, ngo):
    referral = next(r for r in referrals if not hasattr(r, "decision"))  # a decision's own trigger would mark it
    referral.delete()
    return {day_of(referral)}


def _route(referrals, ngo):
    member = ngo.memberships.first().user
    filed = [received(member, accounts=(f"r{n}",), received_at=datetime(2026, 3, 2 + n, tzinfo=UTC)) for n in (0, 1)]
    DirtyDay.objects.all().delete()  # the filing's own markers: only routing's count here
    referral_route_batch(seqs=[r.seq for r in filed], now=datetime(2026, 3, 5, tzinfo=UTC))
    return {date(2026, 3, 2), date(2026, 3, 3)}


def _decision_insert(referrals, ngo):
    referral = next(r for r in referrals if r.status in ("actioned", "rejected") and not hasattr(r, "decision"))
    Decision.objects.create(referral=referral, action=Action.LABEL_APPLIED, ground=Ground.TERMS, policy="Policy 1",
                            statement_of_reasons="A label is applied to the post.", on_time=True)  # fmt: skip
    return {day_of(referral)}


def _decision_update(referrals, ngo):
    decision = Decision.objects.exclude(action=Action.LABEL_APPLIED).order_by("pk").first()
    Decision.objects.filter(pk=decision.pk).update(on_time=not decision.on_time, action=Action.LABEL_APPLIED)
    return {day_of(decision.referral)}


def _decision_delete(referrals, ngo):
    decision = Decision.objects.order_by("pk").first()
    Decision.objects.filter(pk=decision.pk).delete()
    return {day_of(decision.referral)}


def _account_inserted(referrals, ngo):
    referral = next(r for r in referrals if r.status == Status.ACTIONED)
    Subject.objects.create(platform="x", account="suspended_later", suspended_at=referral.received_at,
                           suspended_by=referral)  # fmt: skip
    return {day_of(referral)}


def _account_deleted(referrals, ngo):
    account = Subject.objects.filter(suspended_by__isnull=False).order_by("account").first()
    account.delete()
    return {day_of(account.suspended_by)}


def _reinstate(referrals, ngo):
    account = Subject.objects.filter(suspended_by__isnull=False).order_by("account").first()
    Subject.objects.filter(pk=account.pk).update(suspended_at=None, suspended_by=None)
    return {day_of(account.suspended_by)}


def _suspension_passed_on(referrals, ngo):
    # As when a reversal leaves an account suspended under another standing decision.
    account = Subject.objects.filter(suspended_by__isnull=False).order_by("account").first()
    holder = make(ngo, "notice", "other", "actioned", datetime(2026, 5, 10, tzinfo=UTC), decided_after=5)
    DirtyDay.objects.all().delete()  # the holder's own filing: only the account's move counts here
    Subject.objects.filter(pk=account.pk).update(suspended_by=holder)
    return {day_of(account.suspended_by), day_of(holder)}


def _organisation_kind(referrals, ngo):
    agency = Organisation.objects.get(kind=OrganisationKind.LAW_ENFORCEMENT)
    Organisation.objects.filter(pk=agency.pk).update(kind=OrganisationKind.NGO)
    return {day_of(r) for r in Referral.objects.filter(organisation=agency)}


WRITES = [_insert, _update, _move, _delete, _route, _decision_insert, _decision_update, _decision_delete,
          _account_inserted, _account_deleted, _reinstate, _suspension_passed_on, _organisation_kind]  # fmt: skip


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_a_write_marks_the_receipt_days_it_changes_and_the_figures_follow(refreshed, ngo, ngo_member, write):
    before = compute_figures_direct(FIRST, LAST)
    days = write(refreshed, ngo)
    assert marked() == days
    assert compute_figures_direct(FIRST, LAST) != before
    assert_same_figures([(FIRST, LAST), (min(days), max(days))])


def test_a_write_to_columns_no_figure_reads_marks_nothing(refreshed):
    Referral.objects.update(priority=F("priority") + 1, explanation="Edited.")
    Decision.objects.update(policy="Another policy")
    Subject.objects.update(referral_count=F("referral_count") + 1, display_name="Someone")
    Organisation.objects.update(name=F("slug"))
    assert marked() == set()


def test_without_the_triggers_the_roll_ups_go_stale(refreshed, ngo):
    triggers.uninstall(connection)
    try:
        _insert(refreshed, ngo)
        assert compute_figures(FIRST, LAST) != compute_figures_direct(FIRST, LAST)
    finally:
        triggers.install(connection)


def test_every_migrate_puts_back_triggers_a_table_rebuild_dropped(refreshed, ngo):
    from dashboards.apps import _reinstall_triggers

    triggers.uninstall(connection)  # as SQLite's rebuild of an altered referrals table does
    _reinstall_triggers(using="default")
    _insert(refreshed, ngo)
    assert marked() == {date(2026, 2, 5)}


# --- Refreshing and rebuilding -------------------------------------------------------------------


def test_the_figures_refresh_only_the_marked_days_of_their_period(refreshed, ngo):
    make(ngo, "notice", "other", "withdrawn", datetime(2026, 1, 20, tzinfo=UTC))
    make(ngo, "notice", "other", "withdrawn", datetime(2026, 4, 20, tzinfo=UTC))
    assert marked() == {date(2026, 1, 20), date(2026, 4, 20)}
    compute_figures(date(2026, 1, 1), date(2026, 1, 31))
    assert marked() == {date(2026, 4, 20)}
    assert rollups_refresh() == 1
    assert marked() == set()


def test_a_rebuild_recomputes_every_day_and_drops_days_without_referrals(refreshed):
    expected = {period: compute_figures(*period) for period in PERIODS}
    DailyFigures.objects.filter(day__month=2).delete()
    DailyCategories.objects.filter(day__month=3).delete()
    DailySuspensions.objects.all().delete()
    DecisionMinutes.objects.all().delete()
    stale = {"kind": "notice", "submitter_kind": "ngo", "status": "routed"}
    DailyFigures.objects.create(
        day=date(2020, 1, 1), **stale, received=9, decided_by_due=0, breached=0, decided_on_time=0
    )
    assert compute_figures(FIRST, LAST) != expected[FIRST, LAST]

    days = rollups_rebuild()

    first = min(day_of(r) for r in refreshed)
    assert days == (max(day_of(r) for r in refreshed) - first).days + 1
    assert not DailyFigures.objects.filter(day__lt=first).exists()
    assert {period: compute_figures(*period) for period in PERIODS} == expected


def test_a_rebuild_without_referrals_leaves_no_roll_ups(refreshed):
    Referral.objects.all().delete()
    assert rollups_rebuild() == 0
    for model in (DailyFigures, DailyCategories, DailySuspensions, DecisionMinutes, DirtyDay):
        assert not model.objects.exists()


def test_the_beat_refreshes_every_marked_day_each_minute(refreshed, ngo):
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-refresh-transparency-rollups"]
    assert (entry["task"], entry["schedule"]) == ("dashboards.tasks.refresh_transparency_rollups", 60.0)
    make(ngo, "notice", "other", "withdrawn", datetime(2026, 1, 20, tzinfo=UTC))
    make(ngo, "notice", "other", "withdrawn", datetime(2027, 1, 20, tzinfo=UTC))
    assert tasks.refresh_transparency_rollups() == 2
    assert marked() == set()
    assert DailyFigures.objects.filter(day=date(2027, 1, 20), status=Status.WITHDRAWN).get().received == 1


# --- Exact percentiles from buckets ---------------------------------------------------------------

minutes = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(minutes, min_size=1, max_size=60), st.sampled_from([0, 10, 50, 90, 100]))
def test_the_interpolation_is_the_direct_computations_to_the_last_bit(values, p):
    ordered = sorted(values)
    assert connection.vendor == "sqlite"  # PostgreSQL's: tests/integration/test_transparency_rollups.py
    assert _percentile(ordered.__getitem__, len(ordered), p) == percentile(values, p)


@given(minutes, minutes)
def test_a_larger_number_of_minutes_never_has_a_smaller_bucket(a, b):
    low, high = sorted((a, b))
    assert bucket_of(low) <= bucket_of(high)
