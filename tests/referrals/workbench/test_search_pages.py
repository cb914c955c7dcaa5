"""`/subjects/?q=` and the header's search box (SPEC §15)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from portal.models import AuditEvent
from referrals.models import Subject
from tests.referrals.review_factories import received, routed

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/subjects/", {"q": "someone"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"])
def test_to_a_partner_the_page_does_not_exist(request, client_for, persona, ngo_member):
    routed(ngo_member, accounts=("someone",))

    response = client_for(request.getfixturevalue(persona)).get("/subjects/", {"q": "someone"})

    assert response.status_code == 404


def test_without_a_query_the_page_offers_the_search_and_lists_nothing(client_for, reviewer, ngo_member):
    received(ngo_member, accounts=("someone",))

    response = client_for(reviewer).get("/subjects/")

    assert response.status_code == 200
    content = response.content.decode()
    assert '<label for="search-q">Address, handle or reference</label>' in content
    assert "someone" not in content
    assert response.context["subjects"] == []


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_results_link_to_each_subjects_page(request, client_for, persona, ngo_member):
    received(ngo_member, accounts=("recruiter", "recruiter_news", "unrelated"))
    wanted = Subject.objects.get(account="recruiter")

    response = client_for(request.getfixturevalue(persona)).get("/subjects/", {"q": "recruit"})

    assert response.status_code == 200
    content = response.content.decode()
    assert [s.account for s in response.context["subjects"]] == ["recruiter", "recruiter_news"]
    assert f'href="/subjects/{wanted.id}/"' in content
    assert "<bdi>recruiter_news</bdi>" in content
    assert "unrelated" not in content
    assert "2 accounts found." in content


def test_a_pasted_post_url_finds_its_account(client_for, reviewer, ngo_member):
    received(ngo_member, targets=[{"url": "https://t.me/channel_name/12"}])
    channel = Subject.objects.get(platform="telegram")

    response = client_for(reviewer).get("/subjects/", {"q": "https://t.me/s/Channel_Name/99"})

    assert [s.pk for s in response.context["subjects"]] == [channel.pk]
    assert f'href="/subjects/{channel.id}/"' in response.content.decode()


def test_a_url_that_names_no_account_is_explained_next_to_the_box(client_for, reviewer):
    response = client_for(reviewer).get("/subjects/", {"q": "https://youtu.be/dQw4w9WgXcQ"})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in content
    assert escape("names a post but not its account") in content
    assert 'value="https://youtu.be/dQw4w9WgXcQ"' in content


def test_nothing_found_says_so_clearly(client_for, reviewer, ngo_member):
    received(ngo_member, accounts=("someone",))

    response = client_for(reviewer).get("/subjects/", {"q": "zzqqxx"})

    content = response.content.decode()
    assert "No account matches <bdi>zzqqxx</bdi>." in content
    assert "try a shorter part of the handle" in content


def test_a_reference_shows_the_referral_and_the_accounts_it_names(client_for, reviewer, ngo_member):
    referral = received(ngo_member, accounts=("first_account", "second_account"))

    response = client_for(reviewer).get("/subjects/", {"q": referral.reference})

    content = response.content.decode()
    assert f'href="/referrals/{referral.reference}/"' in content
    assert "Accounts it names" in content
    assert [s.account for s in response.context["subjects"]] == ["first_account", "second_account"]


def test_an_unknown_reference_says_so(client_for, reviewer):
    response = client_for(reviewer).get("/subjects/", {"q": "R-2026-999999"})

    assert "No referral has the reference <bdi>R-2026-999999</bdi>." in response.content.decode()


def test_finding_a_law_enforcement_request_by_reference_is_audited(client_for, reviewer, liaison):
    request = received(liaison, "le_referral", accounts=("suspect",))

    client_for(reviewer).get("/subjects/", {"q": request.reference})

    entry = AuditEvent.objects.get(action="referral.list_view")
    assert entry.data["view"] == "subject_search"
    assert entry.data["references"] == [request.reference]


def test_long_results_come_fifty_to_a_page(client_for, reviewer, ngo_member):
    received(ngo_member, accounts=tuple(f"amplifier_{i:02d}" for i in range(60)))
    client = client_for(reviewer)

    first = client.get("/subjects/", {"q": "amplifier"})
    second = client.get("/subjects/", {"q": "amplifier", "page": 2})

    assert len(first.context["subjects"]) == 50
    assert len(second.context["subjects"]) == 10
    assert 'href="?q=amplifier&amp;page=2"' in first.content.decode()
    assert "60 accounts found." in first.content.decode()
    both = {s.pk for s in first.context["subjects"]} | {s.pk for s in second.context["subjects"]}
    assert len(both) == 60


def test_the_page_costs_the_same_queries_for_one_hit_and_thirty(client_for, reviewer, ngo_member):
    client = client_for(reviewer)
    received(ngo_member, accounts=("amplifier_00",))

    def measure():
        client.get("/subjects/", {"q": "amplifier"})
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/subjects/", {"q": "amplifier"})
        return len(captured), response

    few, response = measure()
    assert len(response.context["subjects"]) == 1
    received(ngo_member, accounts=tuple(f"amplifier_{i:02d}" for i in range(1, 30)))
    many, response = measure()

    assert len(response.context["subjects"]) == 30
    assert few == many


# --- The header's search box ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_have_a_labelled_search_box_in_the_header(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get("/")

    content = response.content.decode()
    nav = content[content.index('<nav id="site-nav"') : content.index("</nav>")]
    assert '<form class="nav-search" role="search" action="/subjects/" method="get"' in nav
    assert '<label for="nav-search-q" class="visually-hidden">Address, handle or reference</label>' in nav
    assert 'id="nav-search-q" name="q"' in nav


@pytest.mark.parametrize("persona", ["ngo_member", "liaison"])
def test_partners_have_no_search_box(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get("/")

    assert 'class="nav-search"' not in response.content.decode()


def test_visitors_have_no_search_box(client):
    response = client.get("/transparency/")

    assert 'class="nav-search"' not in response.content.decode()


def test_the_search_box_leads_to_the_results(client_for, reviewer, ngo_member):
    received(ngo_member, accounts=("someone",))
    client = client_for(reviewer)
    form = client.get("/").content.decode()
    action = form.split('class="nav-search" role="search" action="')[1].split('"')[0]

    response = client.get(action, {"q": "@someone"})

    assert [s.account for s in response.context["subjects"]] == ["someone"]


def test_the_page_reads_right_to_left_in_arabic(client_for, reviewer, ngo_member):
    received(ngo_member, accounts=("someone",))
    reviewer.language = "ar"
    reviewer.save(update_fields=["language"])

    response = client_for(reviewer).get("/subjects/", {"q": "someone"})

    content = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in content
    assert "<bdi>someone</bdi>" in content
    assert 'dir="auto"' in content


def test_the_search_page_has_one_search_box_not_two(client_for, reviewer):
    """Two search landmarks of the same name on one page confuse screen readers (axe)."""
    page = client_for(reviewer).get("/subjects/", {"q": "someone"}).content.decode()

    assert 'class="nav-search"' not in page
    assert page.count('role="search"') == 1
