"""The incident endpoints (SPEC §18, Contract): declaring, reading (platform roles in full,
verified partners the public fields of active incidents), closing with the after-action report."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Role
from portal.models import AuditEvent
from referrals.crisis.services.incidents import incident_close, incident_declare
from referrals.models import Bulletin, Incident, IncidentStatus, Queue, Referral, Status
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.referrals.crisis.factories import incident as make_incident
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents/"
SUMMARY = "A gunman streamed an attack on a mosque; copies of the video and his manifesto are spreading."
PUBLIC_FIELDS = ["slug", "title", "summary", "status", "declared_at", "bulletins"]


def body(**overrides) -> dict:
    data = {
        "title": "Attack in Lyon",
        "summary": SUMMARY,
        "level": 1,
        "keywords": ["manifesto", "Great Replacement"],
        "urls": ["https://x.com/attacker/status/1"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def unverified_ngo_member(db):
    organisation = OrganisationFactory(name="New NGO", slug="new-ngo", verified=False)
    return make_member(organisation, Role.NGO_MEMBER)


@pytest.fixture
def active(policy):
    return incident_declare(
        by=policy, title="Attack in Lyon", summary=SUMMARY, level=2, keywords=["manifesto"], urls=[]
    )


@pytest.fixture
def closed(policy):
    incident = make_incident(title="Old attack", keywords=["old"])
    return incident_close(by=policy, incident=incident)


# --- Declaring ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["policy", "lead"])
def test_declaring_answers_201_with_the_incident(api_for, request, persona):
    by = request.getfixturevalue(persona)
    assert Incident.objects.count() == 0

    response = api_for(by).post(URL, body(), format="json")

    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert response.json() == {
        "slug": "attack-in-lyon",
        "title": "Attack in Lyon",
        "summary": SUMMARY,
        "level": 1,
        "status": "active",
        "queue": "incident-attack-in-lyon",
        "keywords": ["manifesto", "Great Replacement"],
        "urls": ["https://x.com/attacker/status/1"],
        "declared_at": iso(incident.declared_at),
        "closed_at": None,
        "counts": {"referrals": 0, "decided": 0, "actioned": 0, "median_minutes_to_decision": None},
        "bulletins": [],
    }
    assert incident.declared_by == by
    assert AuditEvent.objects.filter(action="incident.declare", actor=by).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "ab"}, "title"),
        ({"summary": "Too short"}, "summary"),
        ({"level": 4}, "level"),
        ({"level": "1"}, None),  # accepted as a number
        ({"keywords": ["ok", ""]}, "keywords"),
        ({"urls": ["https://x.com/ok", "javascript:alert(1)"]}, "urls"),
        ({"keywords": [], "urls": []}, "non_field_errors"),
    ],
)
def test_an_invalid_field_is_a_400_on_that_field_and_nothing_is_stored(api_for, policy, overrides, field):
    queues = Queue.objects.count()
    response = api_for(policy).post(URL, body(**overrides), format="json")
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Incident.objects.count() == 0
    assert Queue.objects.count() == queues


def test_every_problem_is_reported_at_once(api_for, policy):
    response = api_for(policy).post(URL, {"level": 9, "urls": ["nope"]}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()) == ["level", "summary", "title", "urls"]
    assert response.json()["urls"] == ["Item 1 (“nope”): Only http:// and https:// URLs are accepted."]


def test_a_body_that_is_not_an_object_is_a_400(api_for, policy):
    response = api_for(policy).post(URL, ["a", "list"], format="json")
    assert response.status_code == 400
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("persona", ["reviewer", "ngo_member", "liaison", "unverified_ngo_member"])
def test_others_are_refused_with_403(api_for, request, persona):
    response = api_for(request.getfixturevalue(persona)).post(URL, body(), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only policy staff and queue leads declare incidents."}
    assert Incident.objects.count() == 0


def test_the_anonymous_are_asked_to_sign_in(anon_api):
    assert anon_api.post(URL, body(), format="json").status_code == 401
    assert anon_api.get(URL).status_code == 401


# --- Reading ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["policy", "lead", "reviewer"])
def test_platform_roles_list_every_incident_in_full_newest_first(api_for, request, persona, active, closed):
    response = api_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 200
    page = response.json()
    assert sorted(page) == ["next", "previous", "results"]
    assert [i["slug"] for i in page["results"]] == [closed.slug, active.slug]
    assert [i["status"] for i in page["results"]] == ["closed", "active"]
    assert page["results"][1]["keywords"] == ["manifesto"]
    assert page["results"][1]["queue"] == f"incident-{active.slug}"


def test_the_list_filters_by_status(api_for, reviewer, active, closed):
    client = api_for(reviewer)
    assert [i["slug"] for i in client.get(URL, {"status": "active"}).json()["results"]] == [active.slug]
    assert [i["slug"] for i in client.get(URL, {"status": "closed"}).json()["results"]] == [closed.slug]


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "liaison"])
def test_verified_partners_see_only_the_public_fields_of_active_incidents(api_for, request, persona, active, closed):
    Bulletin.objects.create(incident=active, body="Report copies of the video, not the victims.", recipients=3)
    client = api_for(request.getfixturevalue(persona))

    listed = client.get(URL).json()["results"]
    one = client.get(f"{URL}{active.slug}/")

    assert [i["slug"] for i in listed] == [active.slug]
    assert list(listed[0]) == PUBLIC_FIELDS
    assert one.status_code == 200
    assert one.json() == listed[0]
    assert one.json()["bulletins"] == [
        {"body": "Report copies of the video, not the victims.", "posted_at": iso(active.bulletins.get().posted_at)}
    ]


def test_a_closed_incident_is_a_404_for_partners(api_for, ngo_member, closed):
    assert api_for(ngo_member).get(f"{URL}{closed.slug}/").status_code == 404


@pytest.mark.parametrize("persona", ["unverified_ngo_member", "unverified_liaison", "nobody"])
def test_others_see_no_incident(api_for, request, persona, active):
    user = UserFactory(email="nobody@example.test") if persona == "nobody" else request.getfixturevalue(persona)
    client = api_for(user)
    assert client.get(URL).json() == {"next": None, "previous": None, "results": []}
    assert client.get(f"{URL}{active.slug}/").status_code == 404


def test_one_incident_in_full_has_its_live_counts_and_bulletins_newest_first(api_for, reviewer, ngo_member, active):
    for n in range(3):
        referral = make_referral(ngo_member)
        Referral.objects.filter(pk=referral.pk).update(
            incident=active,
            received_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
            decided_at=datetime(2026, 3, 10, 9, 10 * n, tzinfo=UTC) if n else None,
            status=Status.ACTIONED if n else Status.ROUTED,
        )
    older = Bulletin.objects.create(incident=active, body="First bulletin to partners.", recipients=4)
    newer = Bulletin.objects.create(incident=active, body="Second bulletin to partners.", recipients=5)

    data = api_for(reviewer).get(f"{URL}{active.slug}/").json()

    assert data["counts"] == {"referrals": 3, "decided": 2, "actioned": 2, "median_minutes_to_decision": 15.0}
    assert [b["body"] for b in data["bulletins"]] == [newer.body, older.body]
    assert data["bulletins"][0] == {"body": newer.body, "posted_at": iso(newer.posted_at), "recipients": 5}


def test_the_list_runs_a_fixed_number_of_queries(api_for, reviewer, ngo_member):
    client = api_for(reviewer)
    client.get(URL)  # the token's first use is written once a day

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    make_incident(keywords=["first"])
    few = count()
    for n in range(4):
        incident = make_incident(keywords=[f"word{n}"])
        Bulletin.objects.create(incident=incident, body="A bulletin to partners.", recipients=1)
        referral = make_referral(ngo_member)
        Referral.objects.filter(pk=referral.pk).update(incident=incident)
    # The token with its user, membership, organisation and whether they have an MFA factor,
    # the page of incidents with their queues, their bulletins, the grouped counts, and (SQLite
    # only: on PostgreSQL the median is in the counts' query) the decision times.
    assert count() == few == (4 if connection.vendor == "postgresql" else 5)


# --- Closing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["policy", "lead"])
def test_closing_answers_with_the_closed_incident_and_its_report(api_for, request, persona, active):
    response = api_for(request.getfixturevalue(persona)).post(f"{URL}{active.slug}/close/")

    assert response.status_code == 200, response.json()
    data = response.json()
    active.refresh_from_db()
    assert active.status == IncidentStatus.CLOSED
    assert data["status"] == "closed"
    assert data["closed_at"] == iso(active.closed_at)
    report = data["report"]
    assert report["slug"] == active.slug
    assert report["counts"] == data["counts"]
    assert report["until"] == data["closed_at"]
    assert [e["event"] for e in report["timeline"]] == ["declared", "closed"]
    assert report["by_hour"][0].keys() == {"hour", "received", "decided", "actioned"}


def test_closing_twice_is_a_409(api_for, policy, active):
    client = api_for(policy)
    assert client.post(f"{URL}{active.slug}/close/").status_code == 200
    second = client.post(f"{URL}{active.slug}/close/")
    assert second.status_code == 409
    assert second.json() == {"detail": "This incident is already closed."}


@pytest.mark.parametrize("persona", ["reviewer", "ngo_member", "liaison"])
def test_others_who_see_the_incident_may_not_close_it(api_for, request, persona, active):
    response = api_for(request.getfixturevalue(persona)).post(f"{URL}{active.slug}/close/")
    assert response.status_code == 403
    active.refresh_from_db()
    assert active.status == IncidentStatus.ACTIVE


def test_those_who_cannot_see_the_incident_get_404_when_closing(api_for, unverified_ngo_member, ngo_member, closed):
    assert api_for(unverified_ngo_member).post(f"{URL}{closed.slug}/close/").status_code == 404
    assert api_for(ngo_member).post(f"{URL}{closed.slug}/close/").status_code == 404


# --- The report --------------------------------------------------------------------------------------------


def test_platform_roles_read_the_report_as_json_and_csv(api_for, reviewer, closed):
    client = api_for(reviewer)

    report = client.get(f"{URL}{closed.slug}/report/")
    as_csv = client.get(f"{URL}{closed.slug}/report.csv")

    assert report.status_code == 200
    assert report.json()["closed_at"] == iso(closed.closed_at)
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="incident-{closed.slug}-report.csv"' in as_csv["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0][0] == "section"
    assert {r[0] for r in rows[1:]} == {"total", "hour", "timeline"}
    assert len([r for r in rows if r[0] == "hour"]) == len(report.json()["by_hour"])


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "unverified_ngo_member"])
def test_the_report_does_not_exist_for_partners(api_for, request, persona, active):
    client = api_for(request.getfixturevalue(persona))
    assert client.get(f"{URL}{active.slug}/report/").status_code == 404
    assert client.get(f"{URL}{active.slug}/report.csv").status_code == 404
