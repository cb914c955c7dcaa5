"""Home pages by role (SPEC §8): each role's numbers, each number a link to its list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboards import home as dashboard
from partners.models import OrganisationKind
from referrals.models import Queue
from tests.dashboards.test_transparency_dataset import build_dataset, make
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(ngo, agency):
    return build_dataset(ngo, agency)


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"#]+)"', html)]


def assert_links_open(client, html: str, prefix: str) -> None:
    targets = [href for href in links(html) if href.startswith(prefix)]
    assert targets
    for href in targets:
        assert client.get(href).status_code == 200, href


def test_the_home_page_needs_a_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_ngo_member_sees_its_acceptance_rate_and_the_outcomes_behind_it(client_for, ngo_member, dataset):
    client = client_for(ngo_member)
    response = client.get("/")
    assert response.status_code == 200
    section = response.context["sections"]
    acceptance = next(s for t, s in section if t == "portal/home_acceptance.html")
    # The NGO's decided notices: N1..N6 actioned and N7 no violation (the earlier notice
    # before the quarter is actioned too): 7 of 8.
    assert acceptance["decided"] == 8
    assert acceptance["rate"] == pytest.approx(7 / 8)
    assert acceptance["removal"] is None
    html = main_of(response)
    assert "88 %" in html
    assert "/referrals/?status=actioned" in links(html)
    assert "/referrals/?status=no_violation" in links(html)
    assert_links_open(client, html, "/referrals/?status=")


def test_an_ngo_admin_sees_the_same_rate(client_for, ngo_admin, dataset):
    response = client_for(ngo_admin).get("/")
    assert "88 %" in main_of(response)


def test_another_ngo_sees_only_its_own_rate(client_for, other_ngo_member, dataset):
    response = client_for(other_ngo_member).get("/")
    html = main_of(response)
    assert "None of your organisation's referrals has been decided yet." in html
    assert "88 %" not in html


def test_a_liaison_sees_the_agency_s_rate_and_removal_order_compliance(client_for, liaison, dataset):
    client = client_for(liaison)
    response = client.get("/")
    acceptance = next(s for t, s in response.context["sections"] if t == "portal/home_acceptance.html")
    # Decided: R1..R6 and L1..L3, plus the removal order after the quarter; R5 rejected.
    assert (acceptance["decided"], acceptance["rate"]) == (10, pytest.approx(9 / 10))
    # Removal orders: as in the report, plus the late one received on 1 April.
    assert (acceptance["removal"]["counted"], acceptance["removal"]["within"]) == (8, 5)
    html = main_of(response)
    assert "5 of 8 removal orders" in html
    assert "/referrals/?kind=removal_order" in links(html)
    assert_links_open(client, html, "/referrals/?")


def test_a_reviewer_sees_the_queues_it_works_with_open_breached_and_at_risk_counts(client_for, reviewer, ngo):
    queue = Queue.objects.get(slug="violent-extremism")
    queue.members.add(reviewer)
    now = timezone.now()
    make(ngo, "notice", "propaganda", "routed", now - timedelta(hours=2), queue="violent-extremism", sla=1440)
    make(ngo, "notice", "propaganda", "routed", now - timedelta(hours=30), queue="violent-extremism", sla=1440,
         breached=True)  # fmt: skip
    make(ngo, "notice", "propaganda", "routed", now - timedelta(hours=20), queue="violent-extremism", sla=1440)
    response = client_for(reviewer).get("/")
    assert response.status_code == 200
    sections = dict(response.context["sections"])
    if "portal/home_queues.html" not in sections:
        pytest.skip("the referrals app provides the reviewer's home section")
    queues = sections["portal/home_queues.html"]["queues"]
    assert [q["name"] for q in queues] == [queue.name]
    assert {k: queues[0][k] for k in ("open", "waiting", "breached", "at_risk")} == {
        "open": 3,
        "waiting": 3,
        "breached": 1,
        "at_risk": 1,
    }
    assert "/queues/violent-extremism/" in links(main_of(response))


def test_a_queue_lead_sees_every_queue(client_for, lead):
    response = client_for(lead).get("/")
    sections = dict(response.context["sections"])
    if "portal/home_queues.html" not in sections:
        pytest.skip("the referrals app provides the reviewer's home section")
    assert len(sections["portal/home_queues.html"]["queues"]) == Queue.objects.count()


def test_policy_staff_see_the_current_quarter_s_figures_linked_to_the_referral_lists(client_for, policy, ngo, agency):
    now = timezone.now()
    for minutes in (30, 40, 50):
        make(ngo, "notice", "propaganda", "actioned", now - timedelta(minutes=minutes), queue="violent-extremism",
             decided_after=10, sla=1440, action="content_removed")  # fmt: skip
    make(agency, "removal_order", "terrorist_incitement", "actioned", now - timedelta(minutes=90),
         queue="legal-orders", decided_after=20, sla=60, action="content_removed", on_time=True)  # fmt: skip
    client = client_for(policy)
    response = client.get("/")
    assert response.status_code == 200
    figures = response.context["policy_figures"]
    assert figures["received"]["count"] == 4  # unsuppressed for staff
    assert figures["content_removed"] == 4
    assert (figures["removal"]["counted"], figures["removal"]["within"]) == (1, 1)
    period = figures["period"]
    html = main_of(response)
    day_after = (period.end + timedelta(days=1)).isoformat()  # received_before excludes the day it names
    expected = f"/referrals/?kind=notice&received_after={period.start.isoformat()}&received_before={day_after}"
    assert expected in links(html)
    assert f"/transparency/?period={period.code}" in links(html)
    assert_links_open(client, html, "/referrals/?")


def test_policy_staff_see_every_partner_s_rate_and_volume(client_for, policy, dataset, ngo, agency):
    response = client_for(policy).get("/")
    partners = {p["organisation"].slug: p for p in response.context["partner_rates"]["partners"]}
    assert set(partners) == {ngo.slug, agency.slug}  # the platform is not a partner
    assert partners[ngo.slug] == {**partners[ngo.slug], "received": 14, "decided": 8, "actioned": 7}
    assert partners[agency.slug]["rate"] == pytest.approx(9 / 10)
    html = main_of(response)
    assert ngo.name in html
    assert "90 %" in html


def test_the_partner_table_pages_with_a_fixed_number_of_queries(policy, ngo, django_assert_num_queries):
    for i in range(30):
        org = OrganisationFactory(name=f"Partner {i:02d}", kind=OrganisationKind.NGO)
        make(org, "notice", "other", "actioned", timezone.now(), decided_after=1)
    # count, the page of organisations, one GROUP BY over the page's referrals
    with django_assert_num_queries(3):
        section = dashboard.partner_rates_section(policy, "1")
    assert len(section["partners"]) == dashboard.PARTNERS_PER_PAGE
    second = dashboard.partner_rates_section(policy, "2")
    assert [p["organisation"].name for p in second["partners"]][-1] == "Peace Voices Test"
    assert second["page"].number == 2


def test_the_partner_table_s_second_page_opens_from_the_home_page(client_for, policy):
    for i in range(dashboard.PARTNERS_PER_PAGE + 1):
        OrganisationFactory(name=f"Partner {i:02d}")
    client = client_for(policy)
    html = main_of(client.get("/"))
    assert "?page=2" in links(html)
    response = client.get("/?page=2")
    assert response.context["partner_rates"]["page"].number == 2


def test_a_superuser_without_an_organisation_gets_the_frame(client_for, db):
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    response = client_for(admin).get("/")
    assert response.status_code == 200
    assert "admin site" in response.content.decode()
