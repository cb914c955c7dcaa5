"""`GET /api/v1/queues/insights/` (SPEC §15): the queues' and reviewers' figures for queue leads,
against the hand-computed values of tests/referrals/workbench/insights_data.py; and the CSV
download, which says the same."""

import csv
import io

import pytest

from referrals.models import Queue
from tests.referrals.review_factories import routed
from tests.referrals.workbench import insights_data as data

pytestmark = pytest.mark.django_db

URL = "/api/v1/queues/insights/"
CSV_URL = "/queues/insights.csv"


@pytest.fixture
def built(ngo_member, platform):
    return data.build(ngo_member, platform)


# --- Who may read them ---------------------------------------------------------------------------


def test_anonymous_callers_are_refused(anon_api):
    assert anon_api.get(URL).status_code == 401


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"])
def test_to_a_partner_the_insights_do_not_exist(request, api_for, persona, built):
    response = api_for(request.getfixturevalue(persona)).get(URL, data.PARAMS)

    assert response.status_code == 404
    assert "trusted-flaggers" not in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "policy"])
def test_other_platform_roles_are_refused(request, api_for, persona, built):
    response = api_for(request.getfixturevalue(persona)).get(URL, data.PARAMS)

    assert response.status_code == 403
    assert response.json() == {"detail": "The insights are for queue leads."}


# --- The figures ----------------------------------------------------------------------------------


def test_a_lead_gets_every_queue_and_reviewer_with_the_hand_computed_figures(api_for, lead, built):
    response = api_for(lead).get(URL, data.PARAMS)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"queues", "reviewers"}
    assert [q["slug"] for q in body["queues"]] == list(Queue.objects.values_list("slug", flat=True))
    queues = {q["slug"]: q for q in body["queues"]}
    for slug, expected in data.EXPECTED_QUEUES.items():
        assert queues[slug] == expected
    for slug, row in queues.items():
        if slug not in data.EXPECTED_QUEUES:
            assert row == {"slug": slug, **data.EMPTY_QUEUE}
    assert body["reviewers"] == data.EXPECTED_REVIEWERS


def test_without_dates_the_period_is_the_last_seven_days(api_for, lead, built):
    body = api_for(lead).get(URL).json()

    # March 2025 is long past: nothing arrived or was decided, but the backlog is now's.
    queues = {q["slug"]: q for q in body["queues"]}
    assert queues["general"]["backlog"] == 4 and queues["general"]["decided"] == 0
    assert queues["general"]["arrivals"] == 0
    assert body["reviewers"] == []


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"start": "10/03/2025"}, {"start": ["Enter a date as YYYY-MM-DD."]}),
        ({"start": "2025-03-11", "end": "2025-03-10"}, {"end": ["The end date must not be before the start date."]}),
        ({"start": "2025-01-01", "end": "2025-06-01"}, {"end": ["A period can span at most 92 days."]}),
        ({"end": "2999-01-01"}, {"end": ["The end date must not be after today (UTC)."]}),
    ],
)
def test_a_bad_period_is_a_400_naming_the_parameter(api_for, lead, params, errors):
    response = api_for(lead).get(URL, params)

    assert response.status_code == 400
    assert response.json() == errors


# The token with its user, membership, organisation and second factor, then the seven of the
# figures: queues, arrivals, backlog, decisions by (queue, decider, hour), medians, reveals, names.
API_QUERIES = 1 + 7


def test_the_query_count_does_not_grow_with_referrals_or_queues(
    api_for, lead, built, ngo_member, django_assert_num_queries
):
    client = api_for(lead)
    client.get(URL, data.PARAMS)  # the token's first use is recorded once
    with django_assert_num_queries(API_QUERIES):
        client.get(URL, data.PARAMS)
    for n in range(4):
        routed(ngo_member, accounts=(f"later{n}",), received_at=data.at(11, 20, n))
    Queue.objects.create(slug="extra", name="Extra", sla_minutes=30)

    with django_assert_num_queries(API_QUERIES):
        response = client.get(URL, data.PARAMS)

    queues = {q["slug"]: q for q in response.json()["queues"]}
    assert queues["trusted-flaggers"]["arrivals"] == 6 + 4 and "extra" in queues


# --- The CSV --------------------------------------------------------------------------------------


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _number(text: str):
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def test_the_csv_says_what_the_api_says(api_for, client_for, lead, built):
    api = api_for(lead).get(URL, data.PARAMS).json()

    response = client_for(lead).get(CSV_URL, data.PARAMS)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="queue-insights-2025-03-10-to-2025-03-11.csv"'
    rows = rows_of(response)
    queue_rows = [r for r in rows if r["section"] == "queue"]
    assert [
        {"slug": r["name"], **{k: _number(v) for k, v in r.items() if k not in ("section", "name", "reveals")}}
        for r in queue_rows
    ] == api["queues"]
    assert all(r["reveals"] == "" for r in queue_rows)
    reviewer_rows = [r for r in rows if r["section"] == "reviewer"]
    assert [
        {
            "name": r["name"],
            "decided": int(r["decided"]),
            "decisions_per_hour": _number(r["decisions_per_hour"]),
            "reveals": int(r["reveals"]),
        }
        for r in reviewer_rows
    ] == api["reviewers"]
    assert all(r["backlog"] == "" and r["arrivals"] == "" for r in reviewer_rows)


def test_a_name_that_looks_like_a_formula_is_written_as_text(client_for, lead, built):
    built["cy"].name = '=HYPERLINK("http://evil.test")'
    built["cy"].save(update_fields=["name"])

    rows = rows_of(client_for(lead).get(CSV_URL, data.PARAMS))

    assert [r["name"] for r in rows if r["section"] == "reviewer"][-1] == '\'=HYPERLINK("http://evil.test")'


def test_the_csv_is_for_leads_only(client, client_for, reviewer, ngo_member):
    assert client.get(CSV_URL).status_code == 302
    assert client_for(ngo_member).get(CSV_URL).status_code == 404
    assert client_for(reviewer).get(CSV_URL).status_code == 403


def test_a_bad_period_in_the_csv_is_a_400(client_for, lead):
    response = client_for(lead).get(CSV_URL, {"end": "nope"})

    assert response.status_code == 400
    assert response.json() == {"end": ["Enter a date as YYYY-MM-DD."]}
