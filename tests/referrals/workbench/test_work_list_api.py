"""`GET /api/v1/queues/{slug}/referrals/` (SPEC §9, §15): each referral's first account, and the
filters `kind`, `category`, `language`, `country` (an unknown value: 400, never a 500)."""

import pytest

from portal.models import AuditEvent
from referrals.models import Target
from tests.referrals.review.test_query_counts import WORKLIST_API, _queries
from tests.referrals.review_factories import routed

pytestmark = pytest.mark.django_db

URL = "/api/v1/queues/general/referrals/"


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


# --- Who may read it ----------------------------------------------------------------------------


def test_anonymous_callers_are_refused(anon_api):
    assert anon_api.get(f"{URL}?language=ar").status_code == 401


@pytest.mark.parametrize("persona", ["ngo_member", "liaison"])
def test_partners_get_404_whatever_the_filters(request, api_for, persona, other_ngo_member):
    routed(other_ngo_member)

    client = api_for(request.getfixturevalue(persona))

    assert client.get(f"{URL}?language=ar").status_code == 404
    assert client.get(f"{URL}?language=xx").status_code == 404  # not a 400 that reveals the endpoint


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_read_it_filtered(request, api_for, persona, other_ngo_member):
    arabic = routed(other_ngo_member, language="ar", country="EG")
    routed(other_ngo_member, language="en", country="GB")

    response = api_for(request.getfixturevalue(persona)).get(f"{URL}?language=ar")

    assert _ids(response) == [str(arabic.id)]


# --- The first account ---------------------------------------------------------------------------


def test_each_row_names_its_first_account(api_for, reviewer, other_ngo_member):
    referral = routed(other_ngo_member, accounts=("first_handle", "second_handle"))
    first = referral.targets.order_by("position").first()

    row = api_for(reviewer).get(URL).json()["results"][0]

    assert row["first_account"] == {"platform": "x", "account": "first_handle", "subject": str(first.subject_id)}
    assert [t["account"] for t in row["targets"]] == ["first_handle", "second_handle"]


def test_a_target_without_an_account_is_given_with_an_empty_account(api_for, reviewer, other_ngo_member):
    routed(other_ngo_member, targets=[{"platform": "x", "account": "someone"}])
    Target.objects.update(account="", subject=None)

    row = api_for(reviewer).get(URL).json()["results"][0]

    assert row["first_account"] == {"platform": "x", "account": "", "subject": None}


# --- The filters ---------------------------------------------------------------------------------


def test_it_filters_by_category(api_for, reviewer, other_ngo_member):
    hateful = routed(other_ngo_member, category="hateful_conduct")
    routed(other_ngo_member, category="other")

    assert _ids(api_for(reviewer).get(f"{URL}?category=hateful_conduct")) == [str(hateful.id)]


def test_it_filters_by_kind(api_for, reviewer, liaison):
    referral = routed(liaison, "le_referral")
    client = api_for(reviewer)
    queue = referral.queue.slug

    assert _ids(client.get(f"/api/v1/queues/{queue}/referrals/?kind=le_referral")) == [str(referral.id)]
    assert _ids(client.get(f"/api/v1/queues/{queue}/referrals/?kind=notice")) == []


def test_it_filters_by_country_in_either_case(api_for, reviewer, other_ngo_member):
    french = routed(other_ngo_member, country="FR")
    routed(other_ngo_member, country="DE")
    client = api_for(reviewer)

    assert _ids(client.get(f"{URL}?country=FR")) == [str(french.id)]
    assert _ids(client.get(f"{URL}?country=fr")) == [str(french.id)]


def test_the_filters_combine_and_keep_the_priority_order(api_for, reviewer, other_ngo_member):
    low = routed(other_ngo_member, language="ar", country="EG", severity="low")
    high = routed(other_ngo_member, language="ar", country="EG", severity="high")
    routed(other_ngo_member, language="ar", country="MA", severity="high")
    routed(other_ngo_member, language="fr", country="EG", severity="high")

    response = api_for(reviewer).get(f"{URL}?language=AR&country=eg&category=other&kind=notice")

    assert _ids(response) == [str(high.id), str(low.id)]


def test_an_empty_filter_is_no_filter(api_for, reviewer, other_ngo_member):
    one = routed(other_ngo_member, language="ar")
    two = routed(other_ngo_member, language="en")

    response = api_for(reviewer).get(f"{URL}?kind=&category=&language=&country=")

    assert set(_ids(response)) == {str(one.id), str(two.id)}


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("kind=complaint", "kind", "complaint"),
        ("category=spam", "category", "spam"),
        ("language=xx", "language", "ISO 639-1"),
        ("language=english", "language", "ISO 639-1"),
        ("country=UK", "country", "ISO 3166-1"),
        ("country=F%C3%A9", "country", "ISO 3166-1"),
    ],
)
def test_an_unknown_value_is_a_400_naming_the_field(api_for, reviewer, other_ngo_member, query, field, says):
    routed(other_ngo_member)

    response = api_for(reviewer).get(f"{URL}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert says in body[field][0]


def test_the_filters_are_in_the_schema(api_for, reviewer):
    schema = api_for(reviewer).get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/queues/{slug}/referrals/"]["get"]
    names = {p["name"] for p in operation["parameters"]}

    assert {"kind", "category", "language", "country", "status"} <= names
    row = schema["components"]["schemas"]["WorkItem"]["properties"]
    assert "first_account" in row


def test_a_filtered_list_of_requests_audits_the_filters(api_for, reviewer, liaison):
    referral = routed(liaison, "le_referral", country="FR")
    queue = referral.queue.slug

    api_for(reviewer).get(f"/api/v1/queues/{queue}/referrals/?country=fr&kind=le_referral")

    entry = AuditEvent.objects.filter(actor=reviewer, data__view="api.worklist").get()
    assert entry.data["filters"]["country"] == "FR"
    assert entry.data["filters"]["kind"] == "le_referral"
    assert entry.data["references"] == [referral.reference]


# --- Queries -------------------------------------------------------------------------------------


def test_a_filtered_work_list_keeps_the_pinned_query_count(api_for, reviewer, other_ngo_member):
    client = api_for(reviewer)

    def request():
        return client.get(f"{URL}?language=ar&country=EG&category=other&kind=notice")

    for n in range(3):
        routed(other_ngo_member, language="ar", country="EG", accounts=(f"a{n}", f"b{n}"))
    small, first = _queries(request)
    for n in range(3, 30):
        routed(other_ngo_member, language="ar", country="EG", accounts=(f"a{n}", f"b{n}"))
    large, response = _queries(request)

    assert len(first.json()["results"]) == 3 and len(response.json()["results"]) == 30
    assert all(row["first_account"]["account"].startswith("a") for row in response.json()["results"])
    # The filters narrow the one list query: no query more than the unfiltered list.
    assert small == large == WORKLIST_API
