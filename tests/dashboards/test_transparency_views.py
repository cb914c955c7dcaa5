"""The public /transparency/ page, its CSV and JSON downloads and the stats API."""

import csv
import io
import json

import pytest
from django.test import Client

from tests.dashboards.test_transparency_dataset import ACCOUNTS, ORGANISATION_NAMES, build_dataset

pytestmark = pytest.mark.django_db

Q1 = "period=2026-Q1"


@pytest.fixture
def dataset(ngo, agency):
    return build_dataset(ngo, agency)


@pytest.fixture
def anon():
    return Client()


def assert_nothing_identifying(text: str, dataset) -> None:
    for referral in dataset.values():
        assert referral.reference not in text
        assert str(referral.id) not in text
    for name in (*ORGANISATION_NAMES, "peace-voices-test", "test-police", *ACCOUNTS, "old_account"):
        assert name not in text


# --- Page ------------------------------------------------------------------------------------------


def test_anonymous_visitors_see_the_quarter_s_aggregates(anon, dataset):
    response = anon.get(f"/transparency/?{Q1}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "First quarter of 2026" in html
    assert "Referrals by kind" in html
    assert "&lt; 5" in html  # small cells
    assert "71.4 %" in html  # removal orders decided within 60 minutes, 5 of 7
    assert html.count('role="img"') == 8
    assert_nothing_identifying(html, dataset)


def test_each_chart_carries_a_title_a_description_and_a_data_table(anon, dataset):
    html = anon.get(f"/transparency/?{Q1}").content.decode()
    assert 'aria-labelledby="chart-kind-title chart-kind-desc"' in html
    assert '<title id="chart-kind-title">Referrals by kind</title>' in html
    assert "<caption>Referrals by kind: the data</caption>" in html
    assert "style=" not in html
    assert "<script>" not in html


def test_a_bare_visit_shows_the_current_quarter(anon, db):
    response = anon.get("/transparency/")
    assert response.status_code == 200
    assert response.context["period"].code.endswith(("Q1", "Q2", "Q3", "Q4"))


def test_a_half_year_and_custom_dates_can_be_chosen(anon, dataset):
    half = anon.get("/transparency/?period=2026-H1")
    assert half.context["period"].label == "First half-year of 2026"
    custom = anon.get("/transparency/?period=&start=2026-02-01&end=2026-02-28")
    assert custom.status_code == 200
    assert custom.context["figures"]["received"] == 8
    assert custom.context["query"] == "start=2026-02-01&end=2026-02-28"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("period=2026-Q5", "period", "Use a quarter"),
        ("period=&start=2026-03-01&end=2026-02-01", "end", "must not be before"),
        ("period=&start=2023-01-01&end=2026-01-01", "end", "at most 2 years"),
        ("period=&start=yesterday&end=2026-01-01", "start", "valid date"),
        ("period=&start=2026-01-01", "end", "Enter a date"),
    ],
)
def test_a_bad_period_is_explained_next_to_its_field(anon, db, query, field, message):
    response = anon.get(f"/transparency/?{query}")
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "figures" not in response.context


def test_signed_in_partners_see_the_same_public_page(client_for, ngo_member, dataset):
    response = client_for(ngo_member).get(f"/transparency/?{Q1}")
    assert response.status_code == 200
    html = response.content.decode()
    # The page frame names the visitor's own organisation; the report itself names none.
    main = html[html.index("<main") : html.index("</main>")]
    assert "Referrals by kind" in main
    assert_nothing_identifying(main, dataset)


# --- Downloads -----------------------------------------------------------------------------------


def test_the_csv_download_has_one_value_per_row_with_small_cells_suppressed(anon, dataset):
    response = anon.get(f"/transparency/report.csv?{Q1}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="transparency-2026-Q1.csv"'
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "key", "label", "measure", "value"]
    values = {(r[0], r[1], r[3]): r[4] for r in rows[1:]}
    assert values[("period", "start", "date")] == "2026-01-01"
    assert values[("totals", "received", "count")] == "24"
    assert values[("by_kind", "notice", "count")] == "11"
    assert values[("by_kind", "le_referral", "count")] == "<5"
    assert values[("time_to_decision", "notice", "p90_minutes")] == "1628.0"
    assert values[("time_to_decision", "le_referral", "median_minutes")] == ""
    assert values[("removal_orders_within_60_minutes", "removal_order", "share")] == "0.7143"
    assert values[("sla_by_queue", "violent-extremism", "compliance")] == "0.8571"
    assert_nothing_identifying(text, dataset)


def test_the_json_download_matches_the_api(anon, dataset):
    response = anon.get(f"/transparency/report.json?{Q1}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="transparency-2026-Q1.json"'
    body = json.loads(response.content)
    api = anon.get("/api/v1/stats/transparency/?start=2026-01-01&end=2026-03-31").json()
    assert body == api
    assert body["accounts_suspended"] == 6
    assert body["suppression"] == {"threshold": 5, "marker": "<5"}
    assert_nothing_identifying(response.content.decode(), dataset)


def test_a_download_for_a_bad_period_answers_400_with_the_field(anon, db):
    response = anon.get("/transparency/report.csv?period=2026-Q0")
    assert response.status_code == 400
    assert "period" in response.json()


def test_a_custom_download_is_named_by_its_dates(anon, db):
    response = anon.get("/transparency/report.csv?start=2026-01-01&end=2026-01-31")
    assert response["Content-Disposition"] == 'attachment; filename="transparency-2026-01-01_2026-01-31.csv"'


# --- API -----------------------------------------------------------------------------------------


def test_the_api_answers_anyone_with_the_figures(anon_api, dataset):
    response = anon_api.get("/api/v1/stats/transparency/", {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-01-01", "end": "2026-03-31"}
    assert {row["kind"]: row["count"] for row in body["by_kind"]}["removal_order"] == 9
    assert body["removal_orders_within_60_minutes"] == {"counted": 7, "within": 5, "share": 0.7143}
    assert_nothing_identifying(response.content.decode(), dataset)


def test_the_api_answers_token_holders_too(api_for, policy, db):
    response = api_for(policy).get("/api/v1/stats/transparency/", {"start": "2026-01-01", "end": "2026-01-31"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"start", "end"}),
        ({"start": "2026-01-01"}, {"end"}),
        ({"start": "2026-13-01", "end": "2026-03-31"}, {"start"}),
        ({"start": "2026-01-01", "end": "31/03/2026"}, {"end"}),
        ({"start": "2026-03-31", "end": "2026-01-01"}, {"end"}),
        ({"start": "2024-01-01", "end": "2026-01-01"}, {"end"}),
        ({"start": "1999-12-31", "end": "2000-01-31"}, {"start"}),
    ],
)
def test_the_api_refuses_bad_dates_with_a_message_per_field(anon_api, db, params, errors):
    response = anon_api.get("/api/v1/stats/transparency/", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == errors
    assert all(isinstance(messages, list) and messages for messages in body.values())


def test_exactly_two_years_is_allowed(anon_api, db):
    response = anon_api.get("/api/v1/stats/transparency/", {"start": "2024-01-01", "end": "2025-12-31"})
    assert response.status_code == 200
    assert len(response.json()["by_month"]) == 24


def test_the_api_is_in_the_schema(anon_api, db):
    response = anon_api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert b"/api/v1/stats/transparency/" in response.content
