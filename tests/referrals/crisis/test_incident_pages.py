"""The incident pages (SPEC §18): the list, declaring with a confirmation step, the live page,
closing and the after-action report; each persona sees what its role allows."""

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Role
from referrals.crisis.services.incidents import incident_close
from referrals.models import Bulletin, Incident, IncidentStatus, Queue, Referral, Status
from tests.factories import OrganisationFactory, make_member
from tests.referrals.crisis.factories import incident as make_incident
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

SUMMARY = "A gunman streamed an attack on a mosque; copies of the video and his manifesto are spreading."
PLATFORM = ["policy", "lead", "reviewer"]
PARTNERS = ["ngo_member", "ngo_admin", "liaison"]


@pytest.fixture
def unverified_ngo_member(db):
    return make_member(OrganisationFactory(name="New NGO", slug="new-ngo", verified=False), Role.NGO_MEMBER)


@pytest.fixture
def active(db):
    return make_incident(
        title="Attack in Lyon",
        summary=SUMMARY,
        level=2,
        keywords=["secret-keyword"],
        urls=["https://x.com/attacker/status/1"],
    )


@pytest.fixture
def closed(policy):
    return incident_close(by=policy, incident=make_incident(title="Old attack", keywords=["old"]))


@pytest.fixture
def referral(ngo_member, active):
    referral = make_referral(ngo_member)
    Referral.objects.filter(pk=referral.pk).update(incident=active, queue=active.queue, status=Status.ROUTED)
    return referral


def form(**overrides) -> dict:
    data = {
        "title": "Attack in Lyon",
        "summary": SUMMARY,
        "level": "1",
        "keywords": "manifesto\n\n Great Replacement \n",
        "urls": "https://x.com/attacker/status/1\r\nhttps://t.me/spreader",
    }
    data.update(overrides)
    return data


# --- The list ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PLATFORM)
def test_platform_roles_list_every_incident_active_first_with_counts(client_for, request, persona, closed, active):
    response = client_for(request.getfixturevalue(persona)).get("/incidents/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Attack in Lyon") < page.index("Old attack")
    assert '<th scope="col">Referrals</th>' in page


@pytest.mark.parametrize("persona", PARTNERS)
def test_partners_list_the_active_incidents_with_their_summary(client_for, request, persona, closed, active):
    response = client_for(request.getfixturevalue(persona)).get("/incidents/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Attack in Lyon" in page
    assert "A gunman streamed an attack" in page
    assert "Old attack" not in page
    assert "Referrals</th>" not in page
    assert "Declare an incident" not in page


@pytest.mark.parametrize(("persona", "offered"), [("policy", True), ("lead", True), ("reviewer", False)])
def test_declarers_are_offered_to_declare_an_incident(client_for, request, persona, offered):
    page = client_for(request.getfixturevalue(persona)).get("/incidents/").content.decode()
    assert ('href="/incidents/new/"' in page) is offered


@pytest.mark.parametrize("persona", ["unverified_ngo_member", "unverified_liaison"])
def test_the_pages_do_not_exist_for_unverified_organisations(client_for, request, persona, active):
    client = client_for(request.getfixturevalue(persona))
    for path in ("/incidents/", f"/incidents/{active.slug}/", "/incidents/new/"):
        assert client.get(path).status_code == 404, path


def test_the_anonymous_are_sent_to_sign_in(client, active):
    for path in ("/incidents/", f"/incidents/{active.slug}/", "/incidents/new/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_list_runs_a_fixed_number_of_queries(client_for, reviewer, ngo_member):
    client = client_for(reviewer)
    client.get("/incidents/")  # the session's first save

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/incidents/").status_code == 200
        return len(captured)

    make_incident(keywords=["first"])
    few = count()
    for n in range(4):
        incident = make_incident(keywords=[f"word{n}"])
        Bulletin.objects.create(incident=incident, body="A bulletin to partners.", recipients=1)
        referral = make_referral(ngo_member)
        Referral.objects.filter(pk=referral.pk).update(incident=incident)
    # The session, the user, the membership, whether they have an MFA factor; the number of
    # incidents and the page of them with their queues, their bulletins, the grouped counts
    # and (SQLite only) the decision times; then the page's frame: the organisation, the
    # unread notifications and the paging banner's referrals.
    assert count() == few == (11 if connection.vendor == "postgresql" else 12)


# --- Declaring ------------------------------------------------------------------------------------------


def test_the_form_offers_the_levels_with_their_descriptions(client_for, policy):
    page = client_for(policy).get("/incidents/new/").content.decode()
    assert 'type="radio" name="level" value="1"' in page
    assert "Level 1: a live or imminent attack with content spreading" in page
    assert 'name="keywords"' in page and 'name="urls"' in page


def test_sending_the_form_shows_what_declaring_will_do_and_stores_nothing(client_for, policy, lead):
    response = client_for(policy).post("/incidents/new/", form())

    assert response.status_code == 200
    page = response.content.decode()
    assert "<code>incident-attack-in-lyon</code>" in page
    assert "60 minutes" in page
    assert "60 more priority points" in page
    assert "Great Replacement" in page
    assert "https://x.com/attacker/status/1" in page
    assert 'name="confirmed"' in page
    assert Incident.objects.count() == 0
    assert not Queue.objects.filter(slug__startswith="incident-").exists()


def test_confirming_declares_the_incident(client_for, policy):
    client = client_for(policy)
    confirmation = client.post("/incidents/new/", form()).content.decode()
    # What the confirmation page sends back, as a browser would.
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', confirmation))
    fields.update(re.findall(r'<textarea name="(\w+)" hidden>\n(.*?)</textarea>', confirmation, re.S))
    del fields["csrfmiddlewaretoken"]

    response = client.post("/incidents/new/", {**fields, "confirmed": "1"})

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.slug}/"
    assert (incident.title, incident.level, incident.summary) == ("Attack in Lyon", 1, SUMMARY)
    assert incident.keywords == ["manifesto", "Great Replacement"]
    assert [t["account"] for t in incident.targets] == ["attacker", "spreader"]


def test_an_invalid_form_comes_back_with_the_errors_and_stores_nothing(client_for, policy):
    response = client_for(policy).post(
        "/incidents/new/", form(title="ab", keywords="", urls="https://x.com/ok\nnot a url", confirmed="1")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Write between 3 and 200 characters; this has 2." in page
    assert "Item 2 (“not a url”)" in page
    assert Incident.objects.count() == 0


def test_changing_something_goes_back_to_the_form_with_what_was_typed(client_for, policy):
    response = client_for(policy).post("/incidents/new/", form(edit="1"))
    page = response.content.decode()
    assert 'value="Attack in Lyon"' in page
    assert 'name="confirmed"' not in page
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(("persona", "code"), [("reviewer", 403), ("ngo_member", 403), ("unverified_ngo_member", 404)])
def test_others_may_not_declare(client_for, request, persona, code):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/incidents/new/").status_code == code
    assert client.post("/incidents/new/", {**form(), "confirmed": "1"}).status_code == code
    assert Incident.objects.count() == 0


# --- The live page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PLATFORM)
def test_platform_roles_see_the_live_counts_the_newest_referrals_and_what_routing_matches(
    client_for, request, persona, active, referral
):
    response = client_for(request.getfixturevalue(persona)).get(f"/incidents/{active.slug}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-module="incident-live"' in page
    assert f'data-url="/api/v1/incidents/{active.slug}/"' in page
    assert 'data-interval="15"' in page
    assert 'aria-live="polite"' in page
    assert re.search(r'data-count="referrals" data-value="1">1<', page)
    assert f'href="/referrals/{referral.reference}/"' in page
    assert "secret-keyword" in page
    assert f"/queues/incident-{active.slug}/" in page


@pytest.mark.parametrize("persona", PARTNERS)
def test_partners_see_the_title_summary_and_bulletins_only(client_for, request, persona, active, referral):
    Bulletin.objects.create(incident=active, body="Report copies of the video, not the victims.", recipients=3)

    response = client_for(request.getfixturevalue(persona)).get(f"/incidents/{active.slug}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Attack in Lyon" in page
    assert "A gunman streamed an attack" in page
    assert "Report copies of the video, not the victims." in page
    for hidden in ("secret-keyword", "x.com/attacker", referral.reference, "incident-live", "data-count", "Level 2"):
        assert hidden not in page, hidden


def test_a_closed_incident_is_a_404_for_partners(client_for, ngo_member, closed):
    assert client_for(ngo_member).get(f"/incidents/{closed.slug}/").status_code == 404


def test_the_live_script_polls_the_incident_and_updates_the_counts():
    script = (Path(settings.BASE_DIR) / "static" / "js" / "incident-live.js").read_text()
    assert "export default function" in script
    assert "data-count" in script
    assert "setTimeout" in script
    assert "median_minutes_to_decision" in script


# --- Closing and the report -----------------------------------------------------------------------------


def test_declarers_are_offered_to_close_an_active_incident(client_for, policy, reviewer, active):
    assert (
        f'href="/incidents/{active.slug}/close/"'
        in client_for(policy).get(f"/incidents/{active.slug}/").content.decode()
    )
    assert (
        f"/incidents/{active.slug}/close/"
        not in client_for(reviewer).get(f"/incidents/{active.slug}/").content.decode()
    )


def test_closing_asks_for_confirmation_then_shows_the_report(client_for, lead, active, referral):
    client = client_for(lead)

    confirm = client.get(f"/incidents/{active.slug}/close/")
    assert confirm.status_code == 200
    assert "Yes, close the incident" in confirm.content.decode()
    active.refresh_from_db()
    assert active.status == IncidentStatus.ACTIVE

    response = client.post(f"/incidents/{active.slug}/close/")

    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{active.slug}/"
    active.refresh_from_db()
    assert active.status == IncidentStatus.CLOSED
    page = client.get(f"/incidents/{active.slug}/").content.decode()
    assert "After-action report" in page
    assert f'href="/incidents/{active.slug}/report.csv"' in page
    assert f'href="/api/v1/incidents/{active.slug}/report/"' in page
    assert "incident-live" not in page
    assert f"/incidents/{active.slug}/close/" not in page


def test_closing_a_closed_incident_changes_nothing(client_for, policy, closed):
    client = client_for(policy)
    response = client.post(f"/incidents/{closed.slug}/close/", follow=True)
    assert "This incident is already closed." in response.content.decode()


@pytest.mark.parametrize(("persona", "code"), [("reviewer", 403), ("ngo_member", 403)])
def test_others_may_not_close(client_for, request, persona, code, active):
    assert client_for(request.getfixturevalue(persona)).post(f"/incidents/{active.slug}/close/").status_code == code
    active.refresh_from_db()
    assert active.status == IncidentStatus.ACTIVE


def test_the_report_page_and_csv_are_for_platform_roles(client_for, reviewer, ngo_member, closed):
    client = client_for(reviewer)
    page = client.get(f"/incidents/{closed.slug}/report/")
    assert page.status_code == 200
    assert "Hour by hour" in page.content.decode()
    as_csv = client.get(f"/incidents/{closed.slug}/report.csv")
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert next(csv.reader(io.StringIO(as_csv.content.decode())))[0] == "section"
    partner = client_for(ngo_member)
    assert partner.get(f"/incidents/{closed.slug}/report/").status_code == 404
    assert partner.get(f"/incidents/{closed.slug}/report.csv").status_code == 404


def test_the_report_hours_are_shown_in_utc_whatever_the_readers_time_zone(client_for, reviewer):
    nine = datetime(2026, 3, 10, 9, 20, tzinfo=UTC)
    incident = make_incident(keywords=["manifesto"], status=IncidentStatus.CLOSED, declared_at=nine, closed_at=nine)
    reviewer.time_zone = "Asia/Tokyo"
    reviewer.save()
    page = client_for(reviewer).get(f"/incidents/{incident.slug}/report/").content.decode()
    assert '<time datetime="2026-03-10T09:00:00+00:00">10 Mar 09:00</time>' in page
