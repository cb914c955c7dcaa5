"""The network and hubs pages (SPEC §14): who sees them, what they show, raising a signal for a
hub, and choosing a network's accounts to decide their open referrals at once."""

import re

import pytest

from referrals.models import Kind, Referral, Status, Subject
from tests.referrals.review_factories import claimed, decided, received, routed
from tests.referrals.surfacing.test_network import PLANNER

pytestmark = pytest.mark.django_db

PARTNERS = ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"]
PLATFORM = ["reviewer", "lead", "policy"]


def subject(account: str) -> Subject:
    return Subject.objects.get(platform="x", account=account)


@pytest.fixture
def hub(ngo_member, lead):
    """hub named with amp1 (twice), amp2 and amp3; amp3 suspended."""
    received(ngo_member, accounts=("hub", "amp1"))
    received(ngo_member, accounts=("hub", "amp1", "amp2"))
    received(ngo_member, accounts=("hub", "amp3"))
    decided(lead, ngo_member, accounts=("amp3",))
    return subject("hub")


def network_url(s) -> str:
    return f"/subjects/{s.pk}/network/"


def pages(s) -> list[str]:
    return [network_url(s), "/subjects/hubs/"]


# --- Who sees them -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, hub):
    for url in pages(hub):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for url in (f"{network_url(hub)}signal/", f"{network_url(hub)}decide/"):
        assert client.post(url, {"subjects": [str(hub.pk)]}).status_code == 302
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()


@pytest.mark.parametrize("persona", PARTNERS)
def test_to_partners_networks_and_hubs_do_not_exist(request, client_for, hub, persona):
    client = client_for(request.getfixturevalue(persona))

    for url in pages(hub):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "amp1" not in response.content.decode()
    assert client.post(f"{network_url(hub)}signal/").status_code == 404
    assert client.post(f"{network_url(hub)}decide/", {"subjects": [str(hub.pk)]}).status_code == 404
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()


@pytest.mark.parametrize("persona", PLATFORM)
def test_platform_roles_see_both_pages(request, client_for, hub, persona):
    client = client_for(request.getfixturevalue(persona))

    for url in pages(hub):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "amp1" in response.content.decode()


def test_an_unknown_subject_has_no_network(client_for, reviewer, hub):
    assert client_for(reviewer).get("/subjects/00000000-0000-4000-8000-000000000000/network/").status_code == 404


def test_the_navigation_and_the_subject_page_lead_to_them(client_for, reviewer, hub):
    client = client_for(reviewer)

    assert 'href="/subjects/hubs/"' in client.get("/queues/").content.decode()
    assert f'href="{network_url(hub)}"' in client.get(f"/subjects/{hub.pk}/").content.decode()


# --- The network page ----------------------------------------------------------------------------


def test_the_graph_is_an_image_with_a_name_and_each_node_links_to_its_account(client_for, reviewer, hub):
    page = client_for(reviewer).get(network_url(hub)).content.decode()

    graph = re.search(r'<svg class="network-graph"[^>]*>', page).group(0)
    assert (
        'role="img"' in graph
        and 'aria-label="Graph of the network of x · hub: 3 linked accounts, 1 suspended.' in graph
    )
    links = page[page.index('<svg class="network-links"') :]
    assert 'aria-hidden="true"' in links[:200]
    for account in ("hub", "amp1", "amp2", "amp3"):
        assert f'<a href="/subjects/{subject(account).pk}/" tabindex="-1"><title>x · {account} — ' in links
    assert "x · amp3 — suspended — " in links
    # A suspended account is a square, the others circles; the subject is ringed.
    assert page.count('fill="#b91c1c"') == 1 + 1  # the node and the legend
    assert 'stroke="#0f766e" stroke-width="4"' in page
    assert "Suspended account: a square" in page and "Active account: a circle" in page


def test_the_table_lists_every_account_with_its_link_to_the_subject(client_for, reviewer, hub):
    response = client_for(reviewer).get(network_url(hub))

    page = response.content.decode()
    table = page[page.index('<table class="stack network-table">') :]
    accounts = re.findall(r'<th scope="row"><a href="/subjects/[^"]+/"><bdi>([^<]+)</bdi>', table)
    assert accounts == ["hub", "amp1", "amp2", "amp3"]
    assert [row["node"].weight for row in response.context["rows"]] == [0, 2, 1, 1]
    assert table.count('type="checkbox" name="subjects"') == 4
    assert "this account" in table


def test_numbers_in_the_drawing_are_not_localised(client_for, reviewer, hub):
    reviewer.language = "fr"
    reviewer.save()

    page = client_for(reviewer).get(network_url(hub)).content.decode()

    assert "Réseau" in page or "Network" in page
    for value in re.findall(r' (?:cx|cy|x1|y1|r|stroke-width)="([^"]+)"', page):
        assert re.fullmatch(r"\d+(\.\d+)?", value), value


def test_policy_staff_see_the_network_but_choose_nothing_and_raise_nothing(client_for, policy, hub):
    page = client_for(policy).get(network_url(hub)).content.decode()

    assert 'name="subjects"' not in page
    assert "Raise a signal" not in page


def test_only_a_lead_is_offered_to_raise_a_signal(client_for, reviewer, lead, hub):
    assert "Raise a signal for this hub" not in client_for(reviewer).get(network_url(hub)).content.decode()
    page = client_for(lead).get(network_url(hub)).content.decode()
    assert f'action="{network_url(hub)}signal/"' in page


def test_the_network_page_costs_the_same_queries_for_a_bigger_network(
    django_assert_num_queries, client_for, reviewer, ngo_member, hub
):
    client = client_for(reviewer)
    client.get(network_url(hub))
    bigger = [hub]
    received(ngo_member, accounts=("big", *[f"more{n}" for n in range(40)]))
    received(ngo_member, accounts=("more0", *[f"far{n}" for n in range(40)]))
    bigger.append(subject("big"))
    for s in bigger:
        # 1 session; 2 user; 3 membership; 4 second factor; 5 the subject (with its suspended
        # neighbours); 6–9 the network (its links, the second level's, the links among them, the
        # accounts); 10 the window's first referral; 11 the hub's figures; 12 its open signal;
        # 13 the organisation (footer); 14 unread notifications; 15 the paging banner.
        with django_assert_num_queries(15 + PLANNER):
            assert client.get(network_url(s)).status_code == 200


# --- The hubs page -------------------------------------------------------------------------------


def test_the_hubs_page_ranks_hubs_each_opening_its_network(client_for, reviewer, hub):
    response = client_for(reviewer).get("/subjects/hubs/")

    page = response.content.decode()
    assert [row["hub"].subject.account for row in response.context["hubs"]][:2] == ["hub", "amp1"]
    assert f'<a href="{network_url(hub)}"><bdi>hub</bdi></a>' in page
    assert 'name="days"' in page and 'value="30"' in page


def test_the_hubs_page_takes_a_window(client_for, reviewer, hub):
    response = client_for(reviewer).get("/subjects/hubs/", {"days": "7"})

    assert response.status_code == 200
    assert response.context["days"] == 7
    assert "The most co-referred accounts of the last 7 days" in response.content.decode()


@pytest.mark.parametrize("days", ["0", "366", "week"])
def test_a_bad_window_comes_back_with_an_error_summary(client_for, reviewer, hub, days):
    response = client_for(reviewer).get("/subjects/hubs/", {"days": days})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_days"' in page
    assert "<table" not in page


def test_the_raise_button_is_for_leads_and_an_open_signal_is_shown_instead(client_for, reviewer, lead, hub):
    assert "Raise a signal" not in client_for(reviewer).get("/subjects/hubs/").content.decode()
    client = client_for(lead)
    assert f'action="{network_url(hub)}signal/"' in client.get("/subjects/hubs/").content.decode()

    client.post(f"{network_url(hub)}signal/", {"days": "30", "back": "hubs"})

    signal = Referral.objects.get(kind=Kind.SIGNAL)
    page = client.get("/subjects/hubs/").content.decode()
    assert f'action="{network_url(hub)}signal/"' not in page
    assert f'href="/referrals/{signal.reference}/"' in page


# --- Raising a signal from a page ----------------------------------------------------------------


def test_a_lead_raises_a_signal_from_the_network_page_and_is_told_its_reference(client_for, lead, hub):
    client = client_for(lead)
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()

    response = client.post(f"{network_url(hub)}signal/", {"days": "30", "back": "network"}, follow=True)

    signal = Referral.objects.get(kind=Kind.SIGNAL)
    assert signal.surfaced_subject == hub and signal.detector == "network"
    assert response.redirect_chain[-1][0] == network_url(hub)
    page = response.content.decode()
    assert f'Signal <a href="/referrals/{signal.reference}/"><bdi>{signal.reference}</bdi></a> raised for' in page
    assert "An open signal is waiting for review" in page


def test_raising_from_the_hubs_page_returns_to_it_with_its_window(client_for, lead, hub):
    response = client_for(lead).post(f"{network_url(hub)}signal/", {"days": "60", "back": "hubs"})

    assert response.status_code == 302 and response["Location"] == "/subjects/hubs/?days=60"


def test_raising_twice_says_the_account_already_has_an_open_signal(client_for, lead, hub):
    client = client_for(lead)
    client.post(f"{network_url(hub)}signal/")

    response = client.post(f"{network_url(hub)}signal/", follow=True)

    assert "already has an open signal" in response.content.decode()
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 1


def test_a_suspended_account_is_not_raised(client_for, lead, hub):
    response = client_for(lead).post(f"{network_url(subject('amp3'))}signal/", follow=True)

    assert "already suspended" in response.content.decode()
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()


@pytest.mark.parametrize("persona", ["reviewer", "policy"])
def test_reviewers_and_policy_staff_are_refused(request, client_for, hub, persona):
    response = client_for(request.getfixturevalue(persona)).post(f"{network_url(hub)}signal/")

    assert response.status_code == 403
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()


def test_raising_is_a_post(client_for, lead, hub):
    assert client_for(lead).get(f"{network_url(hub)}signal/").status_code == 405
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()


# --- Choosing accounts to decide together --------------------------------------------------------


@pytest.fixture
def open_work(ngo_member, reviewer, lead, hub):
    """Open referrals: amp1 alone (routed), amp2 with other1 (claimed by the reviewer), a request
    for information about amp1 (needs_info: waiting for its submitter, not handed on)."""
    from referrals.review.services.claims import referral_request_info

    alone = routed(ngo_member, accounts=("amp1",))
    shared = claimed(reviewer, ngo_member, accounts=("amp2", "other1"))
    asked = claimed(reviewer, ngo_member, accounts=("amp1",))
    referral_request_info(by=reviewer, referral=asked, message="Which post of this account do you mean?")
    return {"alone": alone, "shared": shared, "asked": Referral.objects.get(pk=asked.pk)}


def test_the_chosen_accounts_open_referrals_are_handed_to_the_bulk_decision(client_for, lead, hub, open_work):
    chosen = [str(subject(a).pk) for a in ("amp1", "amp2", "amp3")]

    response = client_for(lead).post(f"{network_url(hub)}decide/", {"subjects": [*chosen, "not-an-id"]})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Decide the open referrals of these 3 accounts" in page
    form = page[page.index('action="/decisions/bulk/"') :]
    handed = re.findall(r'name="referrals" value="([^"]+)"', form)
    assert sorted(handed) == sorted([str(open_work["alone"].id), str(open_work["shared"].id)])
    assert open_work["asked"].status == Status.NEEDS_INFO and str(open_work["asked"].id) not in page
    assert "Nothing open to decide" in page and "<bdi>amp3</bdi>" in page
    # A suspension applies to every account a referral names: the others are listed.
    assert "These referrals name other accounts too" in page and "<bdi>other1</bdi>" in page
    assert "Choose the decision for 2 referrals" in page
    for referral in open_work.values():
        assert Referral.objects.get(pk=referral.pk).status == referral.status


def test_the_bulk_decision_page_takes_what_the_selection_hands_on(client_for, lead, hub, open_work):
    client = client_for(lead)
    page = client.post(f"{network_url(hub)}decide/", {"subjects": [str(subject("amp1").pk)]}).content.decode()
    handed = re.findall(r'name="referrals" value="([^"]+)"', page)

    response = client.post("/decisions/bulk/", {"referrals": handed})

    assert response.status_code == 200
    assert open_work["alone"].reference in response.content.decode()
    assert "Decide 1 referral" in response.content.decode()


def test_choosing_nothing_says_where_to_choose(client_for, reviewer, hub):
    response = client_for(reviewer).post(f"{network_url(hub)}decide/", {})

    assert response.status_code == 200
    assert "No account chosen" in response.content.decode()
    assert 'action="/decisions/bulk/"' not in response.content.decode()


def test_policy_staff_may_not_choose(client_for, policy, hub):
    assert client_for(policy).post(f"{network_url(hub)}decide/", {"subjects": [str(hub.pk)]}).status_code == 403
