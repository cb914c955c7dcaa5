"""`GET /api/v1/subjects/?q=` (SPEC §15): a pasted URL, part of a handle, or a reference."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from referrals.models import Subject
from tests.referrals.review_factories import received, routed

pytestmark = pytest.mark.django_db

URL = "/api/v1/subjects/"


def search(client, q, **params):
    return client.get(URL, {"q": q, **params})


def accounts(response) -> list[str]:
    return [f"{hit['platform']}:{hit['account']}" for hit in response.json()["results"]]


def subject(platform: str, account: str) -> Subject:
    return Subject.objects.get(platform=platform, account=account)


# --- Who may search ------------------------------------------------------------------------------


def test_anonymous_callers_are_refused(anon_api, ngo_member):
    routed(ngo_member, accounts=("someone",))

    response = search(anon_api, "someone")

    assert response.status_code == 401


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"])
def test_to_a_partner_the_search_does_not_exist_even_for_its_own_accounts(request, api_for, persona, ngo_member):
    routed(ngo_member, accounts=("someone",))
    client = api_for(request.getfixturevalue(persona))

    response = search(client, "someone")

    assert response.status_code == 404
    assert "someone" not in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_find_a_subject(request, api_for, persona, ngo_member):
    routed(ngo_member, accounts=("someone",))
    found = subject("x", "someone")

    response = search(api_for(request.getfixturevalue(persona)), "someone")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "next": None,
        "previous": None,
        "read_as": "handle",
        "referral": None,
        "results": [
            {
                "id": str(found.id),
                "platform": "x",
                "account": "someone",
                "referral_count": 1,
                "suspended": False,
                "url": f"http://testserver/api/v1/subjects/{found.id}/",
            }
        ],
    }


def test_without_a_query_the_answer_is_a_400_naming_q(api_for, reviewer):
    client = api_for(reviewer)

    for response in (client.get(URL), search(client, "   ")):
        assert response.status_code == 400
        assert list(response.json()) == ["q"]


def test_a_query_longer_than_any_url_is_a_400(api_for, reviewer):
    response = search(api_for(reviewer), "https://x.com/" + "a" * 2000)

    assert response.status_code == 400
    assert "q" in response.json()


# --- By URL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed", "pasted", "key"),
    [
        ("https://x.com/SomeOne", "https://mobile.twitter.com/someone/status/1234567890?s=20#reply", ("x", "someone")),
        ("https://twitter.com/someone", "x.com/SomeOne", ("x", "someone")),
        ("https://t.me/channel_name/12", "https://t.me/s/Channel_Name/99", ("telegram", "channel_name")),
        ("https://telegram.me/channel_name", "t.me/channel_name", ("telegram", "channel_name")),
        ("https://www.youtube.com/@Preacher", "https://m.youtube.com/@preacher/videos", ("youtube", "preacher")),
        (
            "https://youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV",
            "https://www.youtube.com/channel/UCaBcDeFgHiJkLmNoPqRsTuV/featured",
            ("youtube", "UCaBcDeFgHiJkLmNoPqRsTuV"),
        ),
        (
            "https://www.instagram.com/recruiter/",
            "https://instagram.com/recruiter/p/Cabc123/",
            ("instagram", "recruiter"),
        ),
        ("https://www.tiktok.com/@speaker", "https://tiktok.com/@Speaker/video/7312345678", ("tiktok", "speaker")),
        (
            "https://www.facebook.com/profile.php?id=1000123",
            "https://m.facebook.com/profile.php?id=1000123&ref=x",
            ("facebook", "1000123"),
        ),
        (
            "https://forum.example.org/poster/thread/1",
            "http://forum.example.org/Poster",
            ("forum.example.org", "poster"),
        ),
    ],
)
def test_a_pasted_url_finds_the_subject_whatever_form_was_filed(api_for, reviewer, ngo_member, filed, pasted, key):
    received(ngo_member, targets=[{"url": filed}, {"platform": "x", "account": "bystander"}])
    wanted = subject(*key)

    response = search(api_for(reviewer), pasted)

    assert response.status_code == 200, response.content
    assert response.json()["read_as"] == "url"
    assert [hit["id"] for hit in response.json()["results"]] == [str(wanted.id)]


def test_a_url_finds_the_account_on_its_own_platform_only(api_for, reviewer, ngo_member):
    received(ngo_member, targets=[{"url": "https://x.com/someone"}, {"url": "https://t.me/someone"}])

    response = search(api_for(reviewer), "https://t.me/someone")

    assert accounts(response) == ["telegram:someone"]


def test_a_url_of_an_account_nobody_named_finds_nothing(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=("someone",))

    response = search(api_for(reviewer), "https://x.com/someone_else")

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", "names a post but not its account"),
        ("https://x.com/home", "does not name an account or a post"),
        ("ftp://x.com/someone", "Only http:// and https:// URLs are accepted."),
    ],
)
def test_a_url_that_names_no_account_is_a_400_saying_why(api_for, reviewer, pasted, message):
    response = search(api_for(reviewer), pasted)

    assert response.status_code == 400
    assert message in response.json()["q"][0]


# --- By handle -------------------------------------------------------------------------------------


def test_part_of_a_handle_finds_the_accounts_containing_it_exact_first(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=("recruiter_official", "the_recruiter", "recruiter", "unrelated"))
    received(ngo_member, targets=[{"url": "https://t.me/recruiter_news"}])

    response = search(api_for(reviewer), "recruiter")

    assert response.json()["read_as"] == "handle"
    found = accounts(response)
    assert found[0] == "x:recruiter"
    assert set(found) == {"x:recruiter", "x:recruiter_official", "x:the_recruiter", "telegram:recruiter_news"}


def test_a_fragment_from_the_middle_of_a_handle_finds_it(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=("blackflag_media_42",))

    response = search(api_for(reviewer), "flag_med")

    assert accounts(response) == ["x:blackflag_media_42"]


def test_a_handle_is_found_whatever_its_case_and_with_an_at_sign(api_for, reviewer, ngo_member):
    received(ngo_member, targets=[{"platform": "x", "account": "@SomeOne"}, {"url": "https://t.me/someone"}])

    response = search(api_for(reviewer), "@SOMEONE")

    assert sorted(accounts(response)) == ["telegram:someone", "x:someone"]


def test_a_fragment_shorter_than_three_characters_finds_only_that_exact_handle(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=("ab", "abc", "cab"))

    response = search(api_for(reviewer), "ab")

    assert accounts(response) == ["x:ab"]


def test_a_handle_nobody_named_finds_nothing(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=("someone",))

    response = search(api_for(reviewer), "zzqqxx")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_suspended_subjects_say_so(api_for, reviewer, ngo_member):
    from django.utils import timezone

    received(ngo_member, accounts=("banned_one",))
    Subject.objects.filter(account="banned_one").update(suspended_at=timezone.now())

    response = search(api_for(reviewer), "banned")

    assert response.json()["results"][0]["suspended"] is True


# --- By reference ----------------------------------------------------------------------------------


def test_a_reference_finds_the_referral_and_the_accounts_it_names(api_for, reviewer, ngo_member):
    referral = received(ngo_member, accounts=("first_account", "second_account"))
    received(ngo_member, accounts=("first_account", "someone_else"))

    response = search(api_for(reviewer), referral.reference.lower())

    body = response.json()
    assert response.status_code == 200
    assert body["read_as"] == "reference"
    assert body["referral"] == {
        "id": str(referral.id),
        "reference": referral.reference,
        "kind": "notice",
        "status": "received",
        "received_at": body["referral"]["received_at"],
        "url": f"http://testserver/api/v1/referrals/{referral.id}/",
    }
    assert accounts(response) == ["x:first_account", "x:second_account"]
    assert body["results"][0]["referral_count"] == 2


def test_a_reference_with_another_year_or_number_finds_nothing(api_for, reviewer, ngo_member):
    referral = received(ngo_member)
    year = referral.received_at.year
    client = api_for(reviewer)

    for q in (f"R-{year - 1}-{referral.seq:06d}", f"R-{year}-{referral.seq + 1:06d}"):
        response = search(client, q)
        assert response.status_code == 200
        assert response.json()["referral"] is None
        assert response.json()["results"] == []


def test_finding_a_law_enforcement_request_by_reference_is_audited(api_for, reviewer, liaison):
    request = received(liaison, "le_referral", accounts=("suspect",))
    assert not AuditEvent.objects.filter(action="referral.list_view").exists()

    response = search(api_for(reviewer), request.reference)

    assert response.json()["referral"]["reference"] == request.reference
    entry = AuditEvent.objects.get(action="referral.list_view")
    assert entry.actor == reviewer
    assert entry.data["references"] == [request.reference]
    assert entry.data["view"] == "api.subject_search"


# --- Pages -----------------------------------------------------------------------------------------


def test_results_come_a_page_at_a_time_with_next_and_previous_links(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=tuple(f"amplifier_{i:02d}" for i in range(5)))
    client = api_for(reviewer)

    first = search(client, "amplifier", page_size=2).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    assert first["previous"] is None
    assert "page=2" in first["next"] and "q=amplifier" in first["next"]
    assert "page=" not in second["previous"]
    assert third["next"] is None
    pages = [first, second, third]
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    seen = [hit["account"] for p in pages for hit in p["results"]]
    assert sorted(seen) == [f"amplifier_{i:02d}" for i in range(5)]


def test_a_page_past_the_end_is_empty_and_a_malformed_one_is_a_404(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=("someone",))
    client = api_for(reviewer)

    assert search(client, "someone", page=9).json()["results"] == []
    for page in ("0", "-1", "abc", "²", "10" * 20):
        response = search(client, "someone", page=page)
        assert response.status_code == 404, page
        assert response.json() == {"detail": "Invalid page."}


def test_page_size_is_capped_at_200(api_for, reviewer, ngo_member):
    for first in (0, 100, 200):  # at most 100 targets a referral
        received(ngo_member, accounts=tuple(f"member_{i:03d}" for i in range(first, min(first + 100, 201))))

    response = search(api_for(reviewer), "member_", page_size=1000)

    assert len(response.json()["results"]) == 200
    assert response.json()["next"] is not None


# --- Query counts ------------------------------------------------------------------------------------


def _queries(client, q) -> tuple[int, object]:
    search(client, q)  # warm: a token's first use records it
    with CaptureQueriesContext(connection) as captured:
        response = search(client, q)
    assert response.status_code == 200, response.content
    return len(captured), response


# The token with its user, membership, organisation and the second factor an MFA role must
# have, then the page of subjects.
HANDLE_QUERIES = 2
# The token (as above), the referral (with its organisation, queue, decision, assignee and
# related count), its targets, its evidence, then the subjects it names.
REFERENCE_QUERIES = 5


def test_a_handle_search_costs_the_same_queries_for_one_hit_and_thirty(
    django_assert_num_queries, api_for, reviewer, ngo_member
):
    client = api_for(reviewer)
    received(ngo_member, accounts=("amplifier_00",))
    few, response = _queries(client, "amplifier")
    assert len(response.json()["results"]) == 1
    received(ngo_member, accounts=tuple(f"amplifier_{i:02d}" for i in range(1, 30)))

    with django_assert_num_queries(HANDLE_QUERIES):
        response = search(client, "amplifier")

    assert len(response.json()["results"]) == 30
    assert few == HANDLE_QUERIES


def test_a_url_search_costs_as_few_queries_as_a_handle_search(django_assert_num_queries, api_for, reviewer, ngo_member):
    client = api_for(reviewer)
    received(ngo_member, accounts=("someone",))
    search(client, "x.com/someone")

    with django_assert_num_queries(HANDLE_QUERIES):
        response = search(client, "https://x.com/someone/status/1")

    assert accounts(response) == ["x:someone"]


def test_a_reference_search_costs_the_same_queries_for_one_account_and_thirty(
    django_assert_num_queries, api_for, reviewer, ngo_member
):
    client = api_for(reviewer)
    one = received(ngo_member, accounts=("lonely",))
    many = received(ngo_member, accounts=tuple(f"amplifier_{i:02d}" for i in range(30)))
    few, _ = _queries(client, one.reference)

    with django_assert_num_queries(REFERENCE_QUERIES):
        response = search(client, many.reference)

    assert len(response.json()["results"]) == 30
    assert few == REFERENCE_QUERIES
