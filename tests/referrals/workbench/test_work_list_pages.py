"""The work list page `/queues/<slug>/` (SPEC §10, §15): each referral's first account, the
filters `kind`, `category`, `language`, `country` (a bad value: a form error, never a 500), and
the selection posted to the bulk decision page."""

import re

import pytest
from django.urls import reverse

from referrals.models import Queue
from tests.referrals.review.test_query_counts import _queries
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db

URL = "/queues/general/"


def _references(response) -> list[str]:
    return [row["referral"].reference for row in response.context["rows"]]


# --- Who sees it ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(f"{URL}?language=ar")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "liaison"])
def test_partners_get_404_whatever_the_filters(request, client_for, persona, other_ngo_member):
    routed(other_ngo_member)

    client = client_for(request.getfixturevalue(persona))

    assert client.get(f"{URL}?language=ar").status_code == 404
    assert client.get(f"{URL}?country=XX").status_code == 404


# --- The first account ---------------------------------------------------------------------------


def test_each_row_shows_its_first_account_isolated_for_right_to_left_pages(client_for, reviewer, other_ngo_member):
    routed(other_ngo_member, accounts=("first_handle", "second_handle", "third_handle"))

    page = client_for(reviewer).get(URL).content.decode()

    assert "<bdi>x</bdi> · <bdi>first_handle</bdi>" in page
    assert "second_handle" not in page
    assert "and 2 more" in page


def test_the_referrals_assigned_to_me_show_their_first_account_too(client_for, reviewer, other_ngo_member):
    claimed(reviewer, other_ngo_member, accounts=("mine_first", "mine_second"))

    page = client_for(reviewer).get("/queues/").content.decode()

    assert "<bdi>mine_first</bdi>" in page


def test_an_arabic_page_keeps_the_account_in_bdi(client_for, reviewer, other_ngo_member):
    reviewer.language = "ar"
    reviewer.save(update_fields=["language"])
    routed(other_ngo_member, accounts=("latin_handle",))

    page = client_for(reviewer).get(URL).content.decode()

    assert 'dir="rtl"' in page
    assert "<bdi>latin_handle</bdi>" in page


# --- The filters ---------------------------------------------------------------------------------


def test_it_filters_by_language_and_country(client_for, reviewer, other_ngo_member):
    arabic = routed(other_ngo_member, language="ar", country="EG")
    routed(other_ngo_member, language="ar", country="MA")
    routed(other_ngo_member, language="fr", country="EG")
    client = client_for(reviewer)

    assert len(_references(client.get(URL))) == 3
    assert _references(client.get(f"{URL}?language=ar&country=EG")) == [arabic.reference]
    assert _references(client.get(f"{URL}?language=AR&country=eg")) == [arabic.reference]


def test_it_filters_by_kind_and_category(client_for, reviewer, other_ngo_member):
    hateful = routed(other_ngo_member, category="hateful_conduct")
    routed(other_ngo_member, category="other")
    client = client_for(reviewer)

    assert _references(client.get(f"{URL}?kind=notice&category=hateful_conduct")) == [hateful.reference]
    assert _references(client.get(f"{URL}?kind=le_referral")) == []


def test_the_filter_form_offers_names_not_codes_in_the_readers_language(client_for, reviewer):
    reviewer.language = "fr"
    reviewer.save(update_fields=["language"])

    page = client_for(reviewer).get(URL).content.decode()

    assert re.search(r'<option value="ar">\s*Arabe\s*</option>', page)
    assert re.search(r'<option value="EG">\s*Égypte\s*</option>', page)
    assert 'role="search"' in page


def test_the_tabs_and_pages_keep_the_filters(client_for, reviewer, other_ngo_member):
    for _ in range(51):
        routed(other_ngo_member, language="ar")

    response = client_for(reviewer).get(f"{URL}?language=ar&category=other")
    page = response.content.decode()

    assert len(response.context["rows"]) == 50
    assert 'href="?tab=in_review&amp;category=other&amp;language=ar"' in page
    assert "tab=waiting&amp;category=other&amp;language=ar&amp;page=2" in page
    second = client_for(reviewer).get(f"{URL}?tab=waiting&category=other&language=ar&page=2")
    assert len(second.context["rows"]) == 1


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("kind=complaint", "kind", "Select a valid choice"),
        ("category=spam", "category", "Select a valid choice"),
        ("language=english", "language", "ISO 639-1"),
        ("country=UK", "country", "ISO 3166-1"),
    ],
)
def test_an_unknown_value_is_a_form_error_and_lists_nothing(client_for, reviewer, other_ngo_member, query, field, says):
    routed(other_ngo_member)

    response = client_for(reviewer).get(f"{URL}?{query}")

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert says in response.context["form"].errors[field][0]
    page = response.content.decode()
    # As every form with errors (SPEC §20): "Error:" in the title, a summary linking to the field.
    assert "<title>Error:" in page
    assert 'class="error-summary"' in page
    assert f'<a href="#id_{field}">' in page
    assert 'class="field field-error"' in page


def test_a_filtered_page_keeps_a_fixed_number_of_queries(client_for, reviewer, other_ngo_member):
    client = client_for(reviewer)

    def request():
        return client.get(f"{URL}?language=ar&country=EG&kind=notice&category=other")

    for n in range(3):
        routed(other_ngo_member, language="ar", country="EG", accounts=(f"a{n}", f"b{n}"))
    small, first = _queries(request)
    for n in range(3, 30):
        routed(other_ngo_member, language="ar", country="EG", accounts=(f"a{n}", f"b{n}"))
    large, response = _queries(request)

    assert len(first.context["rows"]) == 3 and len(response.context["rows"]) == 30
    assert small == large


# --- Selecting for a bulk decision --------------------------------------------------------------


def _bulk_url() -> str:
    return reverse("bulk-decide")


@pytest.mark.parametrize("persona", ["reviewer", "lead"])
def test_reviewers_and_leads_select_rows_for_the_bulk_decision(request, client_for, persona, other_ngo_member):
    user = request.getfixturevalue(persona)
    Queue.objects.get(slug="general").members.add(user)
    one, two = routed(other_ngo_member), routed(other_ngo_member)

    page = client_for(user).get(URL).content.decode()

    assert f'<form method="post" action="{_bulk_url()}"' in page
    for referral in (one, two):
        assert f'name="referrals" value="{referral.id}"' in page
    # "Select all" is the script's: without it the box stays hidden and each row is ticked alone.
    assert '<p class="select-all" data-select-all-box hidden>' in page
    assert 'data-module="select-all"' in page
    assert "Decide selected…" in page


def test_the_selection_reaches_the_bulk_decision_page(client_for, lead, other_ngo_member):
    one, two = routed(other_ngo_member), routed(other_ngo_member)

    response = client_for(lead).post(_bulk_url(), {"referrals": [str(one.id), str(two.id)]})

    assert response.status_code == 200
    assert one.reference in response.content.decode() and two.reference in response.content.decode()


def test_policy_staff_see_the_list_without_selection(client_for, policy, other_ngo_member):
    referral = routed(other_ngo_member)

    page = client_for(policy).get(URL).content.decode()

    assert referral.reference in page
    assert 'name="referrals"' not in page
    assert "Decide selected…" not in page


def test_an_empty_list_offers_no_selection(client_for, lead):
    page = client_for(lead).get(URL).content.decode()

    assert "Nothing here." in page
    assert "Decide selected…" not in page
