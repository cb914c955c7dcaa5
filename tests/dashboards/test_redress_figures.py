"""Appeals and complaints in the transparency figures (SPEC §16): received, decided, reversed,
reinstatements and the median days to decide, against values worked out by hand; on the page,
the CSV and JSON downloads, the stats API and the policy staff's home page."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from dashboards import home as dashboard
from dashboards.transparency import compute_figures, transparency_figures
from referrals.redress.figures import appeal_figures
from referrals.redress.services import appeal_decide, appeal_file, complaint_record
from tests.referrals.redress.redress_factories import NO_ACTION, REASON, STATEMENT
from tests.referrals.review_factories import decided

pytestmark = pytest.mark.django_db

START, END = date(2025, 1, 1), date(2025, 3, 31)
Q1 = "period=2025-Q1"
DECIDED_AT = datetime(2025, 1, 5, 10, tzinfo=UTC)


def at(month: int, day: int, *, year: int = 2025, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def referral(lead, member, account: str, *, action: str = "account_suspended", when: datetime = DECIDED_AT):
    decision = NO_ACTION if action == "no_action" else {}
    return decided(
        lead, member, accounts=(account,), decision=decision, received_at=when - timedelta(hours=1), now=when
    )


def appeal(lead, member, reviewer, account, action, filed, outcome=None, days=0, **kwargs):
    """A notifier's appeal filed at `filed`, decided `days` later when `outcome` is given."""
    appealed = appeal_file(by=member, referral=referral(lead, member, account, action=action, **kwargs),
                           reason=REASON, now=filed)  # fmt: skip
    if outcome:
        appeal_decide(by=reviewer, appeal=appealed, outcome=outcome, statement=STATEMENT, now=filed + timedelta(days))
    return appealed


def complaint(lead, member, reviewer, account, filed, outcome=None, days=0, **kwargs):
    recorded = complaint_record(by=reviewer, referral=referral(lead, member, account, **kwargs), reason=REASON,
                                now=filed)  # fmt: skip
    if outcome:
        appeal_decide(by=reviewer, appeal=recorded, outcome=outcome, statement=STATEMENT, now=filed + timedelta(days))
    return recorded


@pytest.fixture
def dataset(ngo_member, lead, reviewer):
    """Filed in the first quarter of 2025 (decided → days to decide):

    notifier appeals  A1 no action   reversed 2   A2 no action  upheld 4   A3 suspension upheld 6
                      A4 suspension  reversed 1   A5 no action  upheld 80 (in April)   A6 open (31 Mar 23:59:59)
    complaints        C1 suspension  reversed 3   C2 suspension reversed 5 C3 suspension upheld 7
                      C4, C5 open
    outside           X1 filed 31 Dec 2024 23:59:59 (decided in January), X2 filed 1 Apr 2025 00:00

    received 6 + 5 = 11; decided 5 + 3 = 8; reversed 2 + 2 = 4; reinstated: the reversed
    suspensions A4, C1, C2 = 3 (A1's reversal sends it back for a fresh decision);
    days 1 2 3 4 | 5 6 7 80: median (4 + 5) / 2 = 4.5.
    """
    people = (lead, ngo_member, reviewer)
    appeal(*people, "a1", "no_action", at(1, 10), "reversed", 2)
    appeal(*people, "a2", "no_action", at(1, 11), "upheld", 4)
    appeal(*people, "a3", "account_suspended", at(1, 12), "upheld", 6)
    appeal(*people, "a4", "account_suspended", at(1, 13), "reversed", 1)
    appeal(*people, "a5", "no_action", at(1, 30), "upheld", 80)
    appeal(*people, "a6", "no_action", at(3, 31, hour=23, minute=59, second=59))
    complaint(*people, "c1", at(2, 1), "reversed", 3)
    complaint(*people, "c2", at(2, 2), "reversed", 5)
    complaint(*people, "c3", at(2, 3), "upheld", 7)
    complaint(*people, "c4", at(2, 4))
    complaint(*people, "c5", at(2, 5))
    appeal(*people, "x1", "no_action", at(12, 31, year=2024, hour=23, minute=59, second=59), "reversed", 1,
           when=at(12, 20, year=2024))  # fmt: skip
    complaint(*people, "x2", at(4, 1, hour=0))


RAW = {
    "received": 11,
    "decided": 8,
    "reversed": 4,
    "reinstated": 3,
    "median_days_to_decide": 4.5,
    "by_source": [
        {"source": "notifier", "label": "Appeal by the notifier", "received": 6, "decided": 5, "reversed": 2},
        {
            "source": "account_holder",
            "label": "Complaint by the account holder",
            "received": 5,
            "decided": 3,
            "reversed": 2,
        },
    ],
}
PUBLIC = {
    "received": 11,
    "decided": 8,
    "reversed": "<5",
    "reinstated": "<5",
    "median_days_to_decide": 4.5,
    "by_source": [
        {"source": "notifier", "label": "Appeal by the notifier", "received": 6, "decided": 5, "reversed": "<5"},
        {
            "source": "account_holder",
            "label": "Complaint by the account holder",
            "received": 5,
            "decided": "<5",
            "reversed": "<5",
        },
    ],
}


def plain(figures: dict) -> dict:
    return {**figures, "by_source": [{**row, "label": str(row["label"])} for row in figures["by_source"]]}


# --- The figures ---------------------------------------------------------------------------------


def test_the_quarter_s_appeals_are_counted_as_worked_out_by_hand(dataset):
    assert plain(appeal_figures(START, END)) == RAW
    assert plain(compute_figures(START, END)["appeals"]) == RAW


def test_appeals_filed_outside_the_period_are_not_counted(dataset):
    assert appeal_figures(date(2024, 12, 31), date(2024, 12, 31))["received"] == 1  # X1
    assert appeal_figures(date(2025, 4, 1), date(2025, 4, 30))["received"] == 1  # X2
    # A5 was decided in April, but belongs to January, when it was filed.
    assert appeal_figures(date(2025, 4, 1), date(2025, 4, 30))["decided"] == 0


def test_small_cells_are_suppressed_and_the_median_is_withheld_below_five_decided(dataset):
    assert plain(transparency_figures(START, END)["appeals"]) == PUBLIC
    # 10-12 January: A1, A2, A3, all decided (2, 4, 6 days).
    early = date(2025, 1, 10), date(2025, 1, 12)
    assert appeal_figures(*early)["median_days_to_decide"] == 4.0
    public = transparency_figures(*early)["appeals"]
    assert (public["received"], public["decided"], public["median_days_to_decide"]) == ("<5", "<5", None)


def test_an_empty_period_has_no_median(db):
    figures = appeal_figures(START, END)
    assert (figures["received"], figures["median_days_to_decide"]) == (0, None)
    assert transparency_figures(START, END)["appeals"]["received"] == "<5"


def test_the_appeals_figures_take_two_queries(dataset, django_assert_num_queries):
    # The GROUP BY source, status, outcome and original action; the median.
    with django_assert_num_queries(2):
        appeal_figures(START, END)


# --- Where they are published ------------------------------------------------------------------------


def test_the_public_page_shows_the_appeals_figures_and_names_nothing(dataset):
    html = Client().get(f"/transparency/?{Q1}").content.decode()
    section = html[html.index('id="appeals-h"') : html.index('id="method-h"')]
    assert "<dt>Received</dt><dd>11</dd>" in section
    assert "<dt>Decided</dt><dd>8</dd>" in section
    assert "<dt>Decisions reversed</dt><dd>&lt; 5</dd>" in section
    assert "<dt>Reinstatements</dt><dd>&lt; 5 " in section
    assert "<dt>Median days to decide</dt><dd>4.5 " in section
    assert '<th scope="row">Appeal by the notifier</th><td>6</td><td>5</td><td>&lt; 5</td>' in section
    assert "R-2025-" not in html and "a4" not in section


def test_the_csv_and_json_downloads_carry_them(dataset):
    client = Client()
    rows = list(csv.reader(io.StringIO(client.get(f"/transparency/report.csv?{Q1}").content.decode())))
    assert ["appeals", "all", "", "received", "11"] in rows
    assert ["appeals", "all", "", "reversed", "<5"] in rows
    assert ["appeals", "all", "", "reinstated", "<5"] in rows
    assert ["appeals", "all", "", "median_days_to_decide", "4.5"] in rows
    assert ["appeals", "notifier", "Appeal by the notifier", "decided", "5"] in rows
    assert ["appeals", "account_holder", "Complaint by the account holder", "decided", "<5"] in rows
    data = client.get(f"/transparency/report.json?{Q1}").json()
    assert data["appeals"] == PUBLIC


def test_the_stats_api_carries_them(dataset, anon_api):
    response = anon_api.get("/api/v1/stats/transparency/?start=2025-01-01&end=2025-03-31")
    assert response.status_code == 200
    assert response.json()["appeals"] == PUBLIC


def test_policy_staff_see_the_quarter_s_appeals_unsuppressed_with_the_lists_behind_them(dataset, policy):
    section = dashboard.policy_figures_section(policy, today=date(2025, 2, 1))
    appeals = section["appeals"]
    assert plain({k: appeals[k] for k in RAW}) == RAW
    assert (appeals["url"], appeals["decided_url"]) == ("/appeals/", "/appeals/?status=decided")


def test_the_policy_home_page_shows_this_quarter_s_appeals(ngo_member, lead, reviewer, policy, client_for):
    from django.utils import timezone

    now = timezone.now()
    complaint(
        lead, ngo_member, reviewer, "today", now - timedelta(hours=2), "reversed", 0, when=now - timedelta(hours=3)
    )
    client = client_for(policy)

    html = client.get("/").content.decode()

    table = html[html.index("Appeals and complaints filed") :]
    table = table[: table.index("</table>")]
    assert '<th scope="row">Complaint by the account holder</th><td>1</td><td>1</td><td>1</td>' in table
    assert "1 reinstatement (account or content restored after a reversal)." in html
    assert client.get("/appeals/").status_code == 200
    assert client.get("/appeals/?status=decided").status_code == 200
