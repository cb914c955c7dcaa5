from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from portal.models import AuditEvent
from training.models import Registration
from training.services import calendar_token_reset, registration_register

PERSONAS = ["ngo_member", "ngo_admin", "liaison", "reviewer", "lead", "policy"]


@pytest.mark.parametrize("path", ["/training/", "/training/calendar/", "/training/settings/", "/training/new/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_cannot_open_an_event_or_its_ics(client, make_event):
    event = make_event()

    for path in (f"/training/{event.slug}/", f"/training/{event.slug}.ics"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_role_sees_the_schedule_and_events(persona, request, client_for, make_event):
    event = make_event(title="Open to all")
    client = client_for(request.getfixturevalue(persona))

    assert "Open to all" in client.get("/training/").content.decode()
    assert client.get(f"/training/{event.slug}/").status_code == 200
    assert client.get(f"/training/{event.slug}.ics").status_code == 200
    assert client.get("/training/calendar/").status_code == 200


def test_an_unknown_event_is_not_found(client_for, ngo_member):
    client = client_for(ngo_member)

    assert client.get("/training/no-such-event/").status_code == 404
    assert client.get("/training/no-such-event.ics").status_code == 404


def test_schedule_filters_by_format_topic_and_month(client_for, ngo_member, make_event):
    make_event(
        title="Webinar on propaganda",
        format="webinar",
        topics=["propaganda"],
        online_url="https://x.test/a",
        location="",
        starts_at=datetime(2031, 2, 10, 9, tzinfo=UTC),
    )
    make_event(title="Workshop on OSINT", topics=["osint"], starts_at=datetime(2031, 2, 20, 9, tzinfo=UTC))
    make_event(
        title="Later briefing", format="briefing", topics=["osint"], starts_at=datetime(2031, 4, 5, 9, tzinfo=UTC)
    )
    client = client_for(ngo_member)

    def titles(query):
        html = client.get(f"/training/?{query}").content.decode()
        return {t for t in ("Webinar on propaganda", "Workshop on OSINT", "Later briefing") if t in html}

    assert titles("") == {"Webinar on propaganda", "Workshop on OSINT", "Later briefing"}
    assert titles("format=webinar") == {"Webinar on propaganda"}
    assert titles("topic=osint") == {"Workshop on OSINT", "Later briefing"}
    assert titles("month=2031-04") == {"Later briefing"}
    assert titles("month=2031-02&topic=osint") == {"Workshop on OSINT"}


def test_a_malformed_month_is_reported_not_a_crash(client_for, ngo_member):
    response = client_for(ngo_member).get("/training/?month=2026-13")

    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_schedule_is_paginated(client_for, ngo_member, make_event):
    for n in range(23):
        make_event(title=f"Session number {n:02d}")
    client = client_for(ngo_member)

    first = client.get("/training/").content.decode()
    second = client.get("/training/?page=2").content.decode()

    assert "Session number 19" in first and "Session number 20" not in first
    assert "Session number 22" in second
    assert "Page 1 of 2" in first


def test_calendar_shows_the_month_asked_for(client_for, ngo_member, make_event):
    make_event(title="March conference", starts_at=datetime(2031, 3, 12, 9, tzinfo=UTC))
    make_event(title="May webinar", starts_at=datetime(2031, 5, 20, 9, tzinfo=UTC))
    html = client_for(ngo_member).get("/training/calendar/?month=2031-03").content.decode()

    assert "March 2031" in html
    assert "March conference" in html
    assert "May webinar" not in html
    assert "?month=2031-04" in html and "?month=2031-02" in html


def test_calendar_places_events_on_the_viewers_day(client_for, ngo_member, make_event):
    # 23:30 UTC on 31 March is 1 April in Kolkata.
    make_event(title="Late call", timezone="UTC", starts_at=datetime(2031, 3, 31, 23, 30, tzinfo=UTC))
    ngo_member.time_zone = "Asia/Kolkata"
    ngo_member.save()

    march = client_for(ngo_member).get("/training/calendar/?month=2031-03").content.decode()
    april = client_for(ngo_member).get("/training/calendar/?month=2031-04").content.decode()

    assert "05:00 Late call" in april
    assert "05:00 Late call" in march  # 1 April ends the March grid's last week
    assert "No events in April 2031" not in april


def test_detail_shows_times_in_the_viewers_zone_with_the_zone_named(client_for, ngo_member, make_event):
    event = make_event(timezone="Europe/Paris", starts_at=datetime(2031, 3, 29, 8, 0, tzinfo=UTC))
    client = client_for(ngo_member)

    assert "Sat 29 Mar 2031, 09:00–11:00 CET (Europe/Paris)" in client.get(f"/training/{event.slug}/").content.decode()

    ngo_member.time_zone = "Asia/Kolkata"
    ngo_member.save()
    html = client.get(f"/training/{event.slug}/").content.decode()
    assert "Sat 29 Mar 2031, 13:30–15:30 IST (Asia/Kolkata)" in html


def test_registering_from_the_page_and_seeing_the_waitlist_position(client_for, ngo_member, ngo_admin, make_event):
    event = make_event(capacity=1)
    registration_register(user=ngo_admin, event=event)
    client = client_for(ngo_member)
    assert "Join the waitlist" in client.get(f"/training/{event.slug}/").content.decode()

    response = client.post(f"/training/{event.slug}/register/", follow=True)

    assert Registration.objects.get(user=ngo_member).status == "waitlisted"
    assert "number 1 on the waitlist" in response.content.decode()


def test_cancelling_from_the_page(client_for, ngo_member, make_event):
    event = make_event()
    registration_register(user=ngo_member, event=event)

    client_for(ngo_member).post(f"/training/{event.slug}/cancel/")

    assert Registration.objects.get(user=ngo_member).status == "cancelled"


def test_register_and_cancel_refuse_get(client_for, ngo_member, make_event):
    event = make_event()
    client = client_for(ngo_member)

    assert client.get(f"/training/{event.slug}/register/").status_code == 405
    assert not Registration.objects.exists()


def test_a_refused_registration_shows_why(client_for, liaison, make_event):
    event = make_event(audience=["ngo"])

    response = client_for(liaison).post(f"/training/{event.slug}/register/", follow=True)

    assert "not open to your organisation" in response.content.decode()
    assert not Registration.objects.exists()


def test_online_link_is_shown_only_to_confirmed_registrants_and_organisers(
    client_for, ngo_member, ngo_admin, other_ngo_member, policy, make_event
):
    event = make_event(capacity=1, location="", online_url="https://meet.example.test/only-for-you")
    registration_register(user=ngo_member, event=event)
    registration_register(user=ngo_admin, event=event)

    def sees(user):
        return "only-for-you" in client_for(user).get(f"/training/{event.slug}/").content.decode()

    def ics_has(user):
        body = client_for(user).get(f"/training/{event.slug}.ics").content
        (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        return "only-for-you" in str(vevent["LOCATION"]) + str(vevent["DESCRIPTION"])

    assert sees(ngo_member) and ics_has(ngo_member)
    assert not sees(ngo_admin) and not ics_has(ngo_admin)  # waitlisted
    assert not sees(other_ngo_member) and not ics_has(other_ngo_member)
    assert sees(policy)


def test_event_ics_downloads_as_an_attachment(client_for, ngo_member, make_event):
    event = make_event()

    response = client_for(ngo_member).get(f"/training/{event.slug}.ics")

    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    icalendar.Calendar.from_ical(response.content)


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "reviewer", "lead"])
def test_only_policy_staff_open_the_new_event_page(persona, request, client_for):
    assert client_for(request.getfixturevalue(persona)).get("/training/new/").status_code == 403


def test_policy_staff_open_the_new_event_page(client_for, policy):
    assert client_for(policy).get("/training/new/").status_code == 200


def test_edit_page_is_for_organisers_and_policy(client_for, make_event, reviewer, lead, policy):
    event = make_event(organisers=[reviewer])

    assert client_for(lead).get(f"/training/{event.slug}/edit/").status_code == 403
    assert client_for(reviewer).get(f"/training/{event.slug}/edit/").status_code == 200
    response = client_for(reviewer).post(
        f"/training/{event.slug}/edit/",
        {
            "title": "Renamed by organiser",
            "format": "workshop",
            "timezone": "Europe/London",
            "starts_at": "2031-05-01T10:00",
            "ends_at": "2031-05-01T12:00",
            "location": "Hall",
            "audience": ["ngo"],
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Renamed by organiser"
    assert event.starts_at == datetime(2031, 5, 1, 9, 0, tzinfo=UTC)  # BST


def test_organisers_see_registrants_and_the_read_is_audited(client_for, make_event, reviewer, ngo_member):
    event = make_event(organisers=[reviewer])
    registration_register(user=ngo_member, event=event)

    html = client_for(reviewer).get(f"/training/{event.slug}/").content.decode()
    assert ngo_member.email in html
    assert AuditEvent.objects.filter(action="training.registrations.view", actor=reviewer).exists()

    other = client_for(ngo_member).get(f"/training/{event.slug}/").content.decode()
    assert "Registrants" not in other


def test_organisers_mark_attendance_after_the_start(client_for, make_event, reviewer, ngo_member, ngo_admin):
    event = make_event(organisers=[reviewer], starts_at=timezone.now() + timedelta(hours=1))
    registration = registration_register(user=ngo_member, event=event)
    type(event).objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=10))

    client_for(ngo_admin).post(
        f"/training/{event.slug}/attendance/", {"registration": registration.pk, "status": "attended"}
    )
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"

    client_for(reviewer).post(
        f"/training/{event.slug}/attendance/", {"registration": registration.pk, "status": "attended"}
    )
    assert Registration.objects.get(pk=registration.pk).status == "attended"


def test_organisers_cancel_the_event_from_its_page(client_for, make_event, policy, ngo_member):
    event = make_event()

    assert client_for(ngo_member).post(f"/training/{event.slug}/cancel-event/").status_code == 403
    client_for(policy).post(f"/training/{event.slug}/cancel-event/")

    event.refresh_from_db()
    assert event.status == "cancelled"


def test_settings_name_the_time_zone_events_are_shown_in_and_link_to_the_preferences(client_for, ngo_member):
    ngo_member.time_zone = "Asia/Kolkata"
    ngo_member.save(update_fields=["time_zone"])

    page = client_for(ngo_member).get("/training/settings/").content.decode()

    assert "<bdi>Asia/Kolkata</bdi>" in page
    assert 'href="/account/preferences/"' in page


def test_the_feed_reset_button_rotates_the_address_and_shows_the_new_one_once(client_for, ngo_member, client):
    old = calendar_token_reset(user=ngo_member)
    page = client_for(ngo_member)
    assert old not in page.get("/training/settings/").content.decode()  # only its hash is kept

    response = page.post("/training/settings/feed/reset/")

    new = response.context["feed_url"].rsplit("/", 1)[-1].removesuffix(".ics")
    assert response.status_code == 200
    assert new in response.content.decode()
    assert client.get(f"/training/feed/{old}.ics").status_code == 404
    assert client.get(f"/training/feed/{new}.ics").status_code == 200
    again = page.get("/training/settings/").content.decode()
    assert new not in again
    assert "Reset the feed address" in again
    assert AuditEvent.objects.filter(action="training.calendar_token.reset", actor=ngo_member).count() == 2


def test_home_page_shows_my_registrations_and_next_events(client_for, ngo_member, make_event):
    mine = make_event(title="My workshop")
    make_event(title="Another event")
    registration_register(user=ngo_member, event=mine)

    html = client_for(ngo_member).get("/").content.decode()

    assert "My workshop" in html
    assert "Another event" in html


def test_a_new_event_starts_in_the_organisers_own_time_zone(client_for, policy):
    policy.time_zone = "Asia/Kolkata"
    policy.save(update_fields=["time_zone"])
    response = client_for(policy).get("/training/new/")
    assert response.context["form"]["timezone"].value() == "Asia/Kolkata"


def test_a_new_event_starts_in_utc_for_an_organiser_without_a_zone(client_for, policy):
    response = client_for(policy).get("/training/new/")
    assert response.context["form"]["timezone"].value() == "UTC"
