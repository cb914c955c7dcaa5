"""The leads' insights (SPEC §15): every figure against the hand-computed values of the fixed
data set (tests/referrals/workbench/insights_data.py), the period's rules, and a query count
that does not grow with referrals or queues."""

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest

from partners.models import Role
from referrals.models import Queue, Referral
from referrals.review import insights
from tests.factories import make_member
from tests.referrals.review_factories import routed
from tests.referrals.workbench import insights_data as data

pytestmark = pytest.mark.django_db

PERIOD = insights.Period(data.START, data.END)
# Queues, arrivals, backlog, decisions by (queue, decider, hour), medians, reveals, names.
QUERIES = 7
# And the backlog per day: those open now, those closed since.
QUERIES_DAILY = QUERIES + 2


@pytest.fixture
def built(ngo_member, platform):
    return data.build(ngo_member, platform)


def by_slug(figures) -> dict:
    return {q.slug: {"slug": q.slug, **{k: v for k, v in asdict(q).items() if k != "queue"}} for q in figures.queues}


def test_each_queue_s_figures_are_the_hand_computed_ones(built, lead):
    figures = insights.queue_insights(lead, PERIOD)

    queues = by_slug(figures)
    assert queues["trusted-flaggers"] == data.EXPECTED_QUEUES["trusted-flaggers"]
    assert queues["general"] == data.EXPECTED_QUEUES["general"]
    for slug, row in queues.items():
        if slug not in data.EXPECTED_QUEUES:
            assert row == {"slug": slug, **data.EMPTY_QUEUE}, slug


def test_every_queue_is_listed_most_urgent_sla_first(built, lead):
    figures = insights.queue_insights(lead, PERIOD)

    assert [q.slug for q in figures.queues] == list(Queue.objects.values_list("slug", flat=True))


def test_each_reviewer_s_figures_are_the_hand_computed_ones(built, lead):
    figures = insights.queue_insights(lead, PERIOD)

    assert [asdict(r) for r in figures.reviewers] == data.EXPECTED_REVIEWERS


def test_the_reviewers_decisions_add_up_to_the_queues(built, lead):
    figures = insights.queue_insights(lead, PERIOD)

    assert sum(r.decided for r in figures.reviewers) == sum(q.decided for q in figures.queues) == 7


def test_decisions_and_backlog_per_day_are_the_hand_computed_ones(built, lead):
    figures = insights.queue_insights(lead, PERIOD, daily=True)

    assert figures.decisions_per_day == data.EXPECTED_DECISIONS_PER_DAY
    assert figures.backlog_per_day == data.EXPECTED_BACKLOG_PER_DAY


def test_the_backlog_of_today_is_the_backlog_now(built, lead):
    today = datetime.now(UTC).date()
    period = insights.Period(today - timedelta(days=1), today)

    figures = insights.queue_insights(lead, period, daily=True)

    # Nothing was decided or withdrawn after 11 March 2025: everything open then is open now.
    assert figures.backlog_per_day == [(today - timedelta(days=1), 6), (today, 6)]
    assert sum(q.backlog for q in figures.queues) == 6


def test_a_day_without_decisions_has_no_rate_but_keeps_its_backlog(built, lead):
    figures = insights.queue_insights(lead, insights.Period(date(2025, 3, 12), date(2025, 3, 12)), daily=True)

    general = by_slug(figures)["general"]
    assert (general["decided"], general["backlog"]) == (0, 4)
    assert general["decisions_per_hour"] is None
    assert general["forecast_clear_hours"] is None and general["reviewers_needed"] is None
    assert figures.decisions_per_day == [(date(2025, 3, 12), 0)]
    assert figures.backlog_per_day == [(date(2025, 3, 12), 6)]
    # Bo revealed 9 that day and decided nothing.
    assert [asdict(r) for r in figures.reviewers] == [
        {"name": "Bo Reviewer", "decided": 0, "decisions_per_hour": None, "reveals": 9}
    ]


def test_an_empty_backlog_needs_no_reviewers_and_no_time(built, lead):
    for letter in "EF":
        referral = Referral.objects.get(pk=built["referrals"][letter].pk)
        data._decide(lead, referral, data.at(11, 12))

    tf = by_slug(insights.queue_insights(lead, PERIOD))["trusted-flaggers"]

    assert (tf["decided"], tf["backlog"]) == (6, 0)
    assert tf["forecast_clear_hours"] == 0.0 and tf["reviewers_needed"] == 0


@pytest.mark.parametrize(
    ("backlog", "decided", "reviewer_hours", "sla_minutes", "needed"),
    [
        (6, 2, 1, 90, 2),  # 2 an hour × 1.5 h = 3 each: exactly 2, not rounded up to 3
        (7, 2, 1, 90, 3),
        (1, 10, 1, 60, 1),
        (5, 0, 0, 60, None),
    ],
)
def test_reviewers_needed_rounds_up_only_what_is_not_whole(backlog, decided, reviewer_hours, sla_minutes, needed):
    assert insights._needed(backlog, decided, reviewer_hours, sla_minutes) == needed


@pytest.mark.parametrize("persona", ["reviewer", "policy", "ngo_member", "liaison"])
def test_only_queue_leads_get_figures(built, request, persona):
    user = request.getfixturevalue(persona)

    figures = insights.queue_insights(user, PERIOD, daily=True)

    assert figures.queues == [] and figures.reviewers == []
    assert figures.decisions_per_day == [] and figures.backlog_per_day == []


# --- Query counts --------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_referrals_or_queues(built, lead, ngo_member, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        insights.queue_insights(lead, PERIOD)
    with django_assert_num_queries(QUERIES_DAILY):
        insights.queue_insights(lead, PERIOD, daily=True)

    for n in range(3):
        Queue.objects.create(slug=f"extra-{n}", name=f"Extra {n}", sla_minutes=30)
    for n in range(5):
        routed(ngo_member, accounts=(f"more{n}",), received_at=data.at(10, 16, n))
    make_member(built["amal"].membership.organisation, Role.REVIEWER)

    with django_assert_num_queries(QUERIES):
        figures = insights.queue_insights(lead, PERIOD)
    with django_assert_num_queries(QUERIES_DAILY):
        insights.queue_insights(lead, PERIOD, daily=True)
    assert len(figures.queues) == Queue.objects.count()
    assert by_slug(figures)["trusted-flaggers"]["arrivals"] == 6 + 5


# --- The period ------------------------------------------------------------------------------------

TODAY = date(2026, 5, 20)


def test_the_default_period_is_the_last_seven_days_up_to_today():
    assert insights.insight_period({}, today=TODAY) == insights.Period(date(2026, 5, 14), TODAY)
    assert insights.insight_period({"end": "2026-05-10"}, today=TODAY) == insights.Period(
        date(2026, 5, 4), date(2026, 5, 10)
    )
    assert insights.insight_period({"start": "2026-05-18"}, today=TODAY) == insights.Period(date(2026, 5, 18), TODAY)


def test_the_end_is_included():
    period = insights.insight_period({"start": "2026-05-01", "end": "2026-05-01"}, today=TODAY)

    assert period.days == [date(2026, 5, 1)]
    assert (period.low, period.high) == (datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "yesterday"}, "start", "Enter a date as YYYY-MM-DD."),
        ({"end": "2026-13-01"}, "end", "Enter a date as YYYY-MM-DD."),
        ({"start": "2026-05-10", "end": "2026-05-09"}, "end", "The end date must not be before the start date."),
        ({"end": "2026-05-21"}, "end", "The end date must not be after today (UTC)."),
        ({"start": "1999-12-31", "end": "2000-01-01"}, "start", "Choose a date from 2000 on."),
        ({"start": "2026-01-01", "end": "2026-05-01"}, "end", "A period can span at most 92 days."),
    ],
)
def test_a_bad_period_is_refused_with_a_message_for_its_parameter(params, field, message):
    with pytest.raises(insights.PeriodError) as caught:
        insights.insight_period(params, today=TODAY)

    assert caught.value.errors == {field: [message]}


def test_a_period_of_the_longest_span_is_accepted():
    period = insights.insight_period({"start": "2026-02-18", "end": "2026-05-20"}, today=TODAY)

    assert len(period.days) == insights.MAX_DAYS
