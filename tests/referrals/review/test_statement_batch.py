"""`GET /api/v1/statements-of-reasons/?after=` (SPEC §22): one statement per restricting
decision, in the order decided, at most 100 a page, as the body of the database's
`POST /api/v1/statements` with the link to the next page. Platform roles only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import AuditEvent
from tests.referrals.review_factories import decided, decided_many, routed

pytestmark = pytest.mark.django_db
URL = "/api/v1/statements-of-reasons/"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ngo_member", 404),
        ("ngo_admin", 404),
        ("liaison", 404),
        ("reviewer", 200),
        ("lead", 200),
        ("policy", 200),
    ],
)
def test_only_platform_roles_read_the_batch(request, api_for, persona, expected):
    response = api_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == expected
    if expected == 404:
        assert set(response.json()) == {"detail"}


def test_anonymous_callers_are_refused(anon_api):
    assert anon_api.get(URL).status_code == 401


def test_it_pages_by_a_hundred_in_the_order_decided(api_for, lead, reviewer, ngo_member):
    referrals = decided_many(lead, ngo_member, 130)
    client = api_for(reviewer)

    first = client.get(URL).json()
    second = client.get(first["next"]).json()

    assert set(first) == {"statements", "next"}
    assert len(first["statements"]) == 100
    assert len(second["statements"]) == 30
    assert second["next"] is None
    puids = [s["puid"] for s in first["statements"] + second["statements"]]
    assert puids == [r.reference for r in referrals]
    assert AuditEvent.objects.filter(action="statement.batch_export").count() == 2


def test_a_page_is_never_larger_than_a_hundred(api_for, reviewer, lead, ngo_member):
    decided_many(lead, ngo_member, 105)

    body = api_for(reviewer).get(URL, {"page_size": 500}).json()

    assert len(body["statements"]) == 100


def test_one_statement_per_decision_and_none_for_decisions_that_restrict_nothing(
    api_for, lead, reviewer, ngo_member, other_ngo_member
):
    for _ in range(4):
        routed(other_ngo_member, accounts=("hyper",))
    suspension = decided(lead, ngo_member, accounts=("hyper",))  # closes the four others
    decided(lead, ngo_member, accounts=("fine",), decision={"action": "no_action"})

    body = api_for(reviewer).get(URL).json()

    assert [s["puid"] for s in body["statements"]] == [suspension.reference]


def test_after_keeps_the_decisions_taken_since(api_for, lead, reviewer, ngo_member):
    start = timezone.now() - timedelta(hours=2)
    referrals = decided_many(lead, ngo_member, 5, start=start, step_seconds=600)
    cut = start + timedelta(seconds=1200)  # the third decision's instant: "after" excludes it

    for value in (cut.isoformat(), cut.strftime("%Y-%m-%dT%H:%M:%S.%f")):
        body = api_for(reviewer).get(URL, {"after": value}).json()
        assert [s["puid"] for s in body["statements"]] == [r.reference for r in referrals[3:]]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "2026-05-01T25:00"])
def test_a_bad_after_is_a_400_on_the_field(api_for, reviewer, value):
    response = api_for(reviewer).get(URL, {"after": value})

    assert response.status_code == 400
    assert list(response.json()) == ["after"]


def test_the_queries_do_not_grow_with_the_page(api_for, lead, reviewer, ngo_member):
    client = api_for(reviewer)
    client.get(URL)  # the token's first use is recorded once
    decided_many(lead, ngo_member, 3, start=timezone.now() - timedelta(hours=3))
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL).json()["statements"]) == 3
    decided_many(lead, ngo_member, 30, prefix="more")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL).json()["statements"]) == 33

    # The token with its user, membership, organisation and second factor, the decisions with
    # their referrals and organisations, the evidence types, the targets, the audit entry.
    assert len(few.captured_queries) == 5
    assert len(many.captured_queries) == len(few.captured_queries)
