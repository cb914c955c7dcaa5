"""`/queues/insights/` (SPEC §15): the queue leads' page, with the figures of
tests/referrals/workbench/insights_data.py, its two SVG charts, the period form and the CSV link."""

import re

import pytest

from referrals.models import Queue
from tests.referrals.review_factories import routed
from tests.referrals.workbench import insights_data as data

pytestmark = pytest.mark.django_db

URL = "/queues/insights/"


@pytest.fixture
def built(ngo_member, platform):
    return data.build(ngo_member, platform)


def row_of(page: str, heading: str) -> list[str]:
    """The cells of the table row whose header links to or reads `heading`."""
    match = re.search(r"<tr>\s*<th scope=\"row\">(?:(?!</tr>).)*?" + re.escape(heading) + r".*?</tr>", page, re.S)
    assert match, heading
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", match.group(0), re.S)]


# --- Who may see it ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "liaison"])
def test_to_a_partner_the_page_does_not_exist(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "policy"])
def test_other_platform_roles_are_refused(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_the_queue_list_links_to_it_for_leads_only(client_for, lead, reviewer):
    assert URL in client_for(lead).get("/queues/").content.decode()
    assert URL not in client_for(reviewer).get("/queues/").content.decode()


# --- What it shows ------------------------------------------------------------------------------------


def test_a_lead_sees_each_queue_s_and_reviewer_s_figures(client_for, lead, built):
    response = client_for(lead).get(URL, data.PARAMS)

    assert response.status_code == 200
    page = response.content.decode()
    # arrivals, decided, backlog, median, within SLA, per hour, hours to clear, reviewers needed
    assert row_of(page, "Trusted flaggers") == ["6", "4", "2", "97.5", "75.0 %", "2", "1", "1"]
    assert row_of(page, "General") == ["7", "3", "4", "40", "66.7 %", "1", "4", "4"]
    assert row_of(page, "Urgent threats") == ["0", "0", "0", "—", "—", "—", "—", "—"]
    assert row_of(page, "Amal Reviewer") == ["4", "1.33", "7"]
    assert row_of(page, "Bo Reviewer") == ["3", "1.50", "0"]
    assert row_of(page, "Cy Policy") == ["0", "—", "3"]


def test_the_page_draws_decisions_and_backlog_per_day_with_their_data(client_for, lead, built):
    page = client_for(lead).get(URL, data.PARAMS).content.decode()

    titles = {"chart-decisions": "Decisions per day", "chart-backlog": "Backlog at the end of each day"}
    for chart_id, title in titles.items():
        figure = re.search(rf'<figure class="report-chart" id="{chart_id}">.*?</figure>', page, re.S).group(0)
        assert '<svg class="chart"' in figure and 'role="img"' in figure
        assert f'<title id="{chart_id}-title">{title}</title>' in figure
        assert 'direction="ltr"' in figure
    decisions = re.search(r'id="chart-decisions">.*?</figure>', page, re.S).group(0)
    assert re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', decisions) == [("10 Mar", "5"), ("11 Mar", "2")]
    assert decisions.count('class="chart-bar"') == 2
    backlog = re.search(r'id="chart-backlog">.*?</figure>', page, re.S).group(0)
    assert re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', backlog) == [("10 Mar", "2"), ("11 Mar", "6")]
    assert "<polyline" in backlog


def test_in_arabic_the_charts_mirror(client_for, lead, built):
    lead.language = "ar"
    lead.save(update_fields=["language"])

    page = client_for(lead).get(URL, data.PARAMS).content.decode()

    assert 'dir="rtl"' in page
    assert page.count('direction="rtl"') == 2


def test_the_page_says_how_each_figure_is_counted(client_for, lead):
    page = client_for(lead).get(URL).content.decode()

    assert "How the figures are counted" in page
    for term in ("Arrivals", "Backlog now", "Decisions per hour", "Hours to clear", "Reviewers needed"):
        assert f"<dt>{term}</dt>" in page


def test_the_csv_and_the_api_are_offered_for_the_same_period(client_for, lead):
    page = client_for(lead).get(URL, data.PARAMS).content.decode()

    assert 'href="/queues/insights.csv?start=2025-03-10&amp;end=2025-03-11"' in page
    assert "GET /api/v1/queues/insights/?start=2025-03-10&amp;end=2025-03-11" in page


def test_without_dates_the_form_shows_the_last_seven_days(client_for, lead):
    response = client_for(lead).get(URL)

    period = response.context["period"]
    assert (period.end - period.start).days == 6
    assert len(response.context["charts"]) == 2


def test_a_bad_period_is_shown_on_the_form(client_for, lead):
    response = client_for(lead).get(URL, {"start": "2025-03-11", "end": "2025-03-10"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert "The end date must not be before the start date." in page
    assert "Download CSV" not in page


def test_a_long_period_draws_decisions_as_a_line(client_for, lead, built):
    page = client_for(lead).get(URL, {"start": "2025-01-01", "end": "2025-03-31"}).content.decode()

    decisions = re.search(r'id="chart-decisions">.*?</figure>', page, re.S).group(0)
    assert "<polyline" in decisions and 'class="chart-bar"' not in decisions


# Session, user, membership, second factor; the nine of the figures (queues, arrivals, backlog,
# decisions by queue, decider and hour, medians, reveals, names, then the backlog per day:
# open now, closed since); the header's organisation and unread notifications; the paging banner.
PAGE_QUERIES = 4 + 9 + 2 + 1


def test_the_query_count_does_not_grow_with_referrals_or_queues(
    client_for, lead, built, ngo_member, django_assert_num_queries
):
    client = client_for(lead)
    client.get(URL, data.PARAMS)  # the session's first request stores what it learns once
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(URL, data.PARAMS)
    for n in range(4):
        routed(ngo_member, accounts=(f"later{n}",), received_at=data.at(11, 20, n))
    Queue.objects.create(slug="extra", name="Extra queue", sla_minutes=30)

    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get(URL, data.PARAMS).content.decode()

    assert "Extra queue" in page
