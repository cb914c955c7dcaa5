"""Every figure of the transparency report against the hand-computed values of the fixed
data set (see test_transparency_dataset.py for the rows and the arithmetic)."""

from datetime import date, timedelta

import pytest

from dashboards.transparency import compute_figures, transparency_figures
from dashboards.transparency.figures import cache_key, compute_figures_direct
from dashboards.transparency.rollups import rollups_refresh
from referrals.models import Queue, Referral
from tests.dashboards.test_transparency_dataset import END, START, TODAY, at, build_dataset, make

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(ngo, agency):
    return build_dataset(ngo, agency)


@pytest.fixture
def raw(dataset):
    return compute_figures(START, END)


@pytest.fixture
def public(dataset):
    return transparency_figures(START, END, today=TODAY)


def by(rows, key):
    return {row[key]: row for row in rows}


def counts(rows, key):
    return {row[key]: row["count"] for row in rows}


# --- Raw figures --------------------------------------------------------------------------------


def test_referrals_are_counted_by_kind_category_and_submitter_kind(raw):
    assert raw["received"] == 24
    assert counts(raw["by_kind"], "kind") == {
        "notice": 11,
        "le_referral": 3,
        "removal_order": 9,
        "preservation_request": 1,
        "emergency_request": 0,
        "signal": 0,  # the platform's own (SPEC §14), a kind like the others
    }
    assert counts(raw["by_category"], "category") == {
        "terrorist_incitement": 9,
        "terrorist_recruitment": 0,
        "terrorist_instruction": 0,
        "terrorist_threat": 1,
        "glorification": 0,
        "propaganda": 8,
        "violent_threat": 3,
        "hateful_conduct": 2,
        "other": 1,
    }
    assert counts(raw["by_submitter_kind"], "submitter_kind") == {"ngo": 11, "law_enforcement": 13}


def test_the_period_includes_both_end_days_whole_and_nothing_outside(raw):
    assert counts(raw["by_month"], "month") == {"2026-01": 10, "2026-02": 8, "2026-03": 6}


def test_outcomes_count_each_closing_status_and_the_open_rest(raw):
    assert counts(raw["outcomes"], "outcome") == {
        "actioned": 14,
        "no_violation": 1,
        "rejected": 1,
        "duplicate": 1,
        "withdrawn": 3,
        "open": 4,
    }
    assert raw["decided"] == 16


def test_decisions_are_counted_by_action(raw):
    actions = counts(raw["actions"], "action")
    assert actions == {
        "account_suspended": 5,
        "content_removed": 9,
        "content_restricted": 0,
        "label_applied": 0,
        "data_preserved": 0,
        "data_disclosed": 0,
        "no_action": 1,
        "unable_to_comply": 1,
    }
    assert raw["content_removed"] == 9


def test_accounts_suspended_counts_distinct_accounts_suspended_by_referrals_of_the_period(raw):
    assert raw["accounts_suspended"] == 6


def test_time_to_decision_takes_the_median_and_90th_percentile_less_paused_time(raw):
    times = by(raw["time_to_decision"], "kind")
    # notice minutes 10, 20, 30, 40, 50, 1380 (1500 less a 120-minute pause), 2000:
    # median the 4th value; p90 at rank 5.4 → 1380 + 0.4 × (2000 − 1380).
    assert times["notice"] == {
        "kind": "notice",
        "label": "Notice",
        "decided": 7,
        "median_minutes": 40.0,
        "p90_minutes": 1628.0,
    }
    # removal orders 15 (45 less 30 paused), 30, 59, 60, 60 (120 less 60), 90:
    # median (59 + 60) / 2; p90 at rank 4.5 → 60 + 0.5 × 30.
    assert times["removal_order"]["decided"] == 6
    assert times["removal_order"]["median_minutes"] == 59.5
    assert times["removal_order"]["p90_minutes"] == 75.0
    # 100, 200, 300: p90 at rank 1.8 → 200 + 0.8 × 100.
    assert (times["le_referral"]["median_minutes"], times["le_referral"]["p90_minutes"]) == (200.0, 280.0)
    assert times["emergency_request"] == {
        "kind": "emergency_request",
        "label": "Emergency disclosure request",
        "decided": 0,
        "median_minutes": None,
        "p90_minutes": None,
    }


def test_removal_order_share_counts_recorded_on_time_else_the_deadline_and_overdue_open_orders(raw):
    # Counted: R1..R6 decided plus R7 open and breached; R8 (open, in time) and R9 (withdrawn)
    # are not. Within: R1 and R6 (recorded), R2, R3 (exactly 60) and R5 (paused) by due_at.
    assert raw["removal_orders_within_60_minutes"] == {"counted": 7, "within": 5, "share": 0.7143}


def test_sla_compliance_per_queue_is_decided_by_due_over_decided_with_the_breached_count(raw):
    queues = by(raw["sla_by_queue"], "queue")
    assert set(queues) == set(Queue.objects.values_list("slug", flat=True))  # wave 2 adds `surfaced`, …
    assert {
        "legal-orders",
        "urgent-threats",
        "le-referrals",
        "trusted-flaggers",
        "violent-extremism",
        "preservation",
        "general",
        "surfaced",
    } <= set(queues)
    assert queues["violent-extremism"] == {
        "queue": "violent-extremism",
        "name": queues["violent-extremism"]["name"],
        "sla_minutes": 1440,
        "decided": 7,
        "decided_by_due": 6,
        "breached": 1,
        "compliance": 0.8571,
    }
    assert (queues["legal-orders"]["decided"], queues["legal-orders"]["decided_by_due"]) == (6, 5)
    assert (queues["legal-orders"]["breached"], queues["legal-orders"]["compliance"]) == (2, 0.8333)
    assert (queues["le-referrals"]["decided"], queues["le-referrals"]["compliance"]) == (3, 1.0)
    assert (queues["general"]["decided"], queues["general"]["breached"], queues["general"]["compliance"]) == (
        0,
        1,
        None,
    )


# --- Suppression --------------------------------------------------------------------------------


def test_counts_under_five_are_replaced_by_the_marker_and_five_is_shown(public):
    assert public["received"] == 24
    assert counts(public["by_kind"], "kind") == {
        "notice": 11,
        "le_referral": "<5",
        "removal_order": 9,
        "preservation_request": "<5",
        "emergency_request": "<5",
        "signal": "<5",
    }
    assert counts(public["by_category"], "category")["propaganda"] == 8
    assert {
        v
        for k, v in counts(public["by_category"], "category").items()
        if k not in ("propaganda", "terrorist_incitement")
    } == {"<5"}
    assert counts(public["outcomes"], "outcome") == {
        "actioned": 14,
        "no_violation": "<5",
        "rejected": "<5",
        "duplicate": "<5",
        "withdrawn": "<5",
        "open": "<5",
    }
    actions = counts(public["actions"], "action")
    assert (actions["account_suspended"], actions["content_removed"], actions["no_action"]) == (5, 9, "<5")
    assert (public["accounts_suspended"], public["content_removed"], public["decided"]) == (6, 9, 16)


def test_percentiles_over_fewer_than_five_decisions_are_withheld(public):
    times = by(public["time_to_decision"], "kind")
    assert times["le_referral"] == {
        "kind": "le_referral",
        "label": "Law-enforcement referral",
        "decided": "<5",
        "median_minutes": None,
        "p90_minutes": None,
    }
    assert (times["notice"]["median_minutes"], times["notice"]["p90_minutes"]) == (40.0, 1628.0)
    assert times["removal_order"]["decided"] == 6


def test_the_removal_share_is_shown_when_both_of_its_counts_reach_five(public):
    assert public["removal_orders_within_60_minutes"] == {"counted": 7, "within": 5, "share": 0.7143}


def test_ratios_built_on_a_small_count_are_withheld(public):
    queues = by(public["sla_by_queue"], "queue")
    assert queues["legal-orders"]["breached"] == "<5"
    assert queues["legal-orders"]["compliance"] == 0.8333
    assert queues["le-referrals"] == {
        **queues["le-referrals"],
        "decided": "<5",
        "decided_by_due": "<5",
        "compliance": None,
    }


def test_a_removal_share_with_fewer_than_five_on_time_is_withheld(agency):
    for day in range(1, 7):
        make(agency, "removal_order", "terrorist_incitement", "actioned", at(2, day), queue="legal-orders",
             decided_after=90 if day > 2 else 10, sla=60, action="content_removed")  # fmt: skip
    figures = transparency_figures(START, END, today=TODAY)
    assert figures["removal_orders_within_60_minutes"] == {"counted": 6, "within": "<5", "share": None}


def test_nothing_in_the_figures_names_a_referral_account_or_organisation(dataset, public):
    text = repr(public)
    for referral in dataset.values():
        assert referral.reference not in text
        assert str(referral.id) not in text
    for name in ("Peace Voices Test", "Test Police Unit", "peace-voices-test", "test-police", "hyper_amplifier_one"):
        assert name not in text


# --- Cost and cache -------------------------------------------------------------------------------


def test_the_figures_take_nine_queries_whatever_the_number_of_referrals(dataset, ngo, django_assert_num_queries):
    # With nothing to refresh: 1 the period's marked days (none), 2 the time to decision's bucket
    # counts, 3 the values of the buckets its percentiles fall in, 4 accounts suspended, 5 counts
    # by kind/submitter/status/queue/month/action and 6 by category, summed from the days'
    # roll-ups, 7 queue names, 8 appeals by source/status/outcome, 9 their median.
    rollups_refresh()
    with django_assert_num_queries(9):
        compute_figures(START, END)
    for day in range(1, 29):
        make(ngo, "notice", "glorification", "actioned", at(2, day), queue="violent-extremism", decided_after=day,
             sla=1440, action="label_applied")  # fmt: skip
    rollups_refresh()
    with django_assert_num_queries(9):
        figures = compute_figures(START, END)
    assert figures["received"] == 52


def test_the_direct_computation_takes_six_queries(dataset, django_assert_num_queries):
    # 1 counts by kind/category/submitter/status/queue/month/action over the period's referrals,
    # 2 time to decision, 3 accounts suspended, 4 queue names, 5 appeals, 6 their median.
    with django_assert_num_queries(6):
        figures = compute_figures_direct(START, END)
    assert figures == compute_figures(START, END)


def test_a_closed_period_is_cached_and_a_period_reaching_today_is_not(dataset, django_assert_num_queries):
    from django.core.cache import cache

    transparency_figures(START, END, today=TODAY)
    assert cache.get(cache_key(START, END)) is not None
    with django_assert_num_queries(0):
        transparency_figures(START, END, today=TODAY)

    transparency_figures(START, END, today=END)
    assert cache.get(cache_key(START, END)) is not None  # untouched by the live computation
    cache.clear()
    transparency_figures(START, END, today=END)
    assert cache.get(cache_key(START, END)) is None


def test_the_cache_serves_unsuppressed_and_suppressed_forms_of_the_same_figures(dataset):
    raw = transparency_figures(START, END, suppress=False, today=TODAY)
    public = transparency_figures(START, END, today=TODAY)
    assert counts(raw["by_kind"], "kind")["le_referral"] == 3
    assert counts(public["by_kind"], "kind")["le_referral"] == "<5"


def test_an_empty_period_has_every_cell_suppressed(db):
    figures = transparency_figures(date(2024, 1, 1), date(2024, 3, 31), today=TODAY)
    assert figures["received"] == "<5"
    assert {row["count"] for row in figures["by_kind"]} == {"<5"}
    assert figures["removal_orders_within_60_minutes"]["share"] is None
    assert [row["month"] for row in figures["by_month"]] == ["2024-01", "2024-02", "2024-03"]


def test_a_period_ending_before_it_starts_is_refused(db):
    with pytest.raises(ValueError):
        transparency_figures(END, START)


def test_referrals_decided_after_the_period_still_count_for_the_period_they_were_received_in(dataset):
    late = dataset["R7"]
    Referral.objects.filter(pk=late.pk).update(status="actioned", decided_at=late.received_at + timedelta(days=40))
    figures = compute_figures(START, END)
    assert counts(figures["outcomes"], "outcome")["actioned"] == 15
    assert figures["removal_orders_within_60_minutes"]["counted"] == 7
