from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from training.models import Event, Registration
from training.services import event_cancel, registration_register

PERSONAS = ["ngo_member", "ngo_admin", "liaison", "reviewer", "lead", "policy"]

NEW_EVENT = {
    "title": "Countering recruitment online",
    "format": "webinar",
    "topics": ["Recruitment", "counter-speech"],
    "starts_at": "2031-03-29T09:00:00+01:00",
    "ends_at": "2031-03-29T11:00:00+01:00",
    "timezone": "Europe/Paris",
    "online_url": "https://meet.example.test/webinar",
    "capacity": 30,
    "audience": ["ngo", "law_enforcement"],
}


def test_anonymous_callers_get_401(anon_api, make_event):
    event = make_event()

    assert anon_api.get("/api/v1/events/").status_code == 401
    assert anon_api.get(f"/api/v1/events/{event.slug}/").status_code == 401
    assert anon_api.post(f"/api/v1/events/{event.slug}/register/").status_code == 401
    assert not Registration.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_role_lists_and_reads_events(persona, request, api_for, make_event):
    event = make_event()
    api = api_for(request.getfixturevalue(persona))

    listing = api.get("/api/v1/events/")
    detail = api.get(f"/api/v1/events/{event.slug}/")

    assert listing.status_code == 200
    assert set(listing.json()) == {"next", "previous", "results"}
    assert [e["slug"] for e in listing.json()["results"]] == [event.slug]
    assert detail.status_code == 200
    assert detail.json()["my_registration"] is None


def test_an_unknown_event_is_404(api_for, ngo_member):
    api = api_for(ngo_member)

    assert api.get("/api/v1/events/nope/").status_code == 404
    assert api.post("/api/v1/events/nope/register/").status_code == 404


def test_policy_staff_create_an_event(api_for, policy):
    response = api_for(policy).post("/api/v1/events/", NEW_EVENT, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "countering-recruitment-online"
    assert body["starts_at"] == "2031-03-29T08:00:00Z"
    assert body["topics"] == ["recruitment", "counter-speech"]
    assert body["status"] == "scheduled"
    assert body["online_url"] == "https://meet.example.test/webinar"  # policy staff see it
    assert Event.objects.get().starts_at == datetime(2031, 3, 29, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "reviewer", "lead"])
def test_others_may_not_create_events(persona, request, api_for):
    response = api_for(request.getfixturevalue(persona)).post("/api/v1/events/", NEW_EVENT, format="json")

    assert response.status_code == 403
    assert not Event.objects.exists()


def test_bad_event_input_is_a_400_per_field(api_for, policy):
    bad = {
        **NEW_EVENT,
        "timezone": "Nowhere/Special",
        "ends_at": "2031-03-29T07:00:00+01:00",
        "audience": ["martians"],
        "format": "party",
    }

    response = api_for(policy).post("/api/v1/events/", bad, format="json")

    assert response.status_code == 400
    assert {"audience", "format"} <= set(response.json())
    response = api_for(policy).post("/api/v1/events/", {**NEW_EVENT, "timezone": "Nowhere/Special"}, format="json")
    assert response.status_code == 400
    assert "timezone" in response.json()
    assert not Event.objects.exists()


def test_register_gives_201_with_the_status_and_waitlists_when_full(api_for, ngo_member, ngo_admin, make_event):
    event = make_event(capacity=1, online_url="https://meet.example.test/x")

    first = api_for(ngo_member).post(f"/api/v1/events/{event.slug}/register/")
    second = api_for(ngo_admin).post(f"/api/v1/events/{event.slug}/register/")

    assert (first.status_code, first.json()) == (201, {"status": "confirmed"})
    assert (second.status_code, second.json()) == (201, {"status": "waitlisted"})
    mine = api_for(ngo_member).get(f"/api/v1/events/{event.slug}/").json()
    theirs = api_for(ngo_admin).get(f"/api/v1/events/{event.slug}/").json()
    assert mine["my_registration"] == {"status": "confirmed"}
    assert mine["online_url"] == "https://meet.example.test/x"
    assert theirs["my_registration"] == {"status": "waitlisted"}
    assert theirs["online_url"] is None
    assert theirs["seats_left"] == 0


def test_refusals(api_for, ngo_member, liaison, policy, make_event):
    api = api_for(ngo_member)
    closed = make_event(registration_closes_at=timezone.now() - timedelta(hours=1))
    cancelled = make_event()
    event_cancel(by=policy, event=cancelled)
    ngo_only = make_event(audience=["ngo"])
    twice = make_event()
    registration_register(user=ngo_member, event=twice)

    assert api.post(f"/api/v1/events/{closed.slug}/register/").status_code == 400
    assert api.post(f"/api/v1/events/{cancelled.slug}/register/").status_code == 400
    again = api.post(f"/api/v1/events/{twice.slug}/register/")
    assert again.status_code == 409
    assert "already registered" in again.json()["detail"]
    outside = api_for(liaison).post(f"/api/v1/events/{ngo_only.slug}/register/")
    assert outside.status_code == 403
    assert Registration.objects.count() == 1


def test_cancel_frees_the_seat_for_the_waitlist(api_for, ngo_member, ngo_admin, make_event):
    event = make_event(capacity=1)
    registration_register(user=ngo_member, event=event)
    registration_register(user=ngo_admin, event=event)

    response = api_for(ngo_member).post(f"/api/v1/events/{event.slug}/cancel/")

    assert (response.status_code, response.json()) == (200, {"status": "cancelled"})
    assert Registration.objects.get(user=ngo_admin).status == "confirmed"
    assert api_for(ngo_member).post(f"/api/v1/events/{event.slug}/cancel/").status_code == 400


def test_list_filters(api_for, ngo_member, make_event):
    make_event(title="A", format="webinar", topics=["osint"], starts_at=datetime(2031, 1, 5, 9, tzinfo=UTC))
    make_event(title="B", format="workshop", topics=["osint"], starts_at=datetime(2031, 2, 5, 9, tzinfo=UTC))
    make_event(title="C", format="workshop", topics=["law"], starts_at=datetime(2031, 3, 5, 9, tzinfo=UTC))
    api = api_for(ngo_member)

    def titles(query):
        response = api.get(f"/api/v1/events/?{query}")
        assert response.status_code == 200, response.json()
        return [e["title"] for e in response.json()["results"]]

    assert titles("") == ["A", "B", "C"]
    assert titles("format=workshop") == ["B", "C"]
    assert titles("topic=osint") == ["A", "B"]
    assert titles("after=2031-02-01T00:00:00Z") == ["B", "C"]
    assert titles("before=2031-02-01T00:00:00Z") == ["A"]
    assert titles("after=2031-01-10T00:00:00Z&before=2031-03-01T00:00:00Z&topic=osint") == ["B"]


def test_list_hides_past_events_unless_asked_for(api_for, ngo_member, make_event):
    past = make_event(title="Past", starts_at=timezone.now() - timedelta(days=3))
    make_event(title="Upcoming")
    api = api_for(ngo_member)

    assert [e["title"] for e in api.get("/api/v1/events/").json()["results"]] == ["Upcoming"]
    after = (past.starts_at - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert "Past" in [e["title"] for e in api.get("/api/v1/events/", {"after": after}).json()["results"]]


def test_bad_filters_are_400(api_for, ngo_member):
    api = api_for(ngo_member)

    assert api.get("/api/v1/events/?format=party").status_code == 400
    assert api.get("/api/v1/events/?after=yesterday").status_code == 400
    assert "before" in api.get("/api/v1/events/?after=2031-02-01T00:00:00Z&before=2031-01-01T00:00:00Z").json()


def test_list_is_cursor_paginated(api_for, ngo_member, make_event):
    for n in range(5):
        make_event(title=f"Event {n}", starts_at=datetime(2031, 1, 1 + n, 9, tzinfo=UTC))
    api = api_for(ngo_member)

    first = api.get("/api/v1/events/?page_size=2").json()
    second = api.get(first["next"]).json()

    assert [e["title"] for e in first["results"]] == ["Event 0", "Event 1"]
    assert [e["title"] for e in second["results"]] == ["Event 2", "Event 3"]


def test_materials_appear_after_the_event(api_for, ngo_member, make_event):
    event = make_event(materials="Slides: https://docs.example.test/slides")
    api = api_for(ngo_member)
    assert api.get(f"/api/v1/events/{event.slug}/").json()["materials"] is None

    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )

    assert "slides" in api.get(f"/api/v1/events/{event.slug}/").json()["materials"]


def test_organisers_patch_and_others_get_403(api_for, make_event, reviewer, ngo_member):
    event = make_event(organisers=[reviewer])

    assert api_for(ngo_member).patch(f"/api/v1/events/{event.slug}/", {"title": "X"}, format="json").status_code == 403
    response = api_for(reviewer).patch(f"/api/v1/events/{event.slug}/", {"capacity": 5}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["capacity"] == 5
    bad = api_for(reviewer).patch(f"/api/v1/events/{event.slug}/", {"location": "", "online_url": ""}, format="json")
    assert bad.status_code == 400
    assert "location" in bad.json()


def test_schema_documents_the_event_endpoints(api_for, ngo_member):
    schema = api_for(ngo_member).get("/api/v1/schema/?format=json")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/events/", "/api/v1/events/{slug}/", "/api/v1/events/{slug}/register/"} <= set(paths)


def test_out_of_range_times_and_capacity_are_400_not_500(api_for, policy):
    api = api_for(policy)

    far = api.post(
        "/api/v1/events/",
        {**NEW_EVENT, "starts_at": "9999-12-31T20:00:00Z", "ends_at": "9999-12-31T21:00:00Z"},
        format="json",
    )
    huge = api.post("/api/v1/events/", {**NEW_EVENT, "capacity": 10**12}, format="json")
    long = api.post("/api/v1/events/", {**NEW_EVENT, "ends_at": "2031-06-29T09:00:00+01:00"}, format="json")

    assert (far.status_code, list(far.json())) == (400, ["starts_at"])
    assert (huge.status_code, list(huge.json())) == (400, ["capacity"])
    assert (long.status_code, list(long.json())) == (400, ["ends_at"])
    assert not Event.objects.exists()


def test_an_organiser_who_names_organisers_gets_403_and_nothing_changes(api_for, make_event, reviewer, lead):
    event = make_event(organisers=[reviewer])

    response = api_for(reviewer).patch(
        f"/api/v1/events/{event.slug}/", {"title": "Renamed", "organisers": [lead.email]}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only policy staff name an event's organisers."}
    event.refresh_from_db()
    assert event.title == "Recognising recruitment narratives"
    assert list(event.organisers.all()) == [reviewer]
