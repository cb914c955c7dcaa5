from datetime import UTC, datetime, timedelta

import icalendar

from training.ical import event_ics
from training.models import Registration
from training.services import (
    calendar_token_reset,
    event_cancel,
    event_update,
    registration_cancel,
    registration_register,
)


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def only_event(calendar) -> icalendar.Event:
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def test_event_in_kolkata_carries_its_zone_and_the_right_utc_instants(make_event):
    # 10:00–12:30 in India (UTC+05:30) is 04:30–07:00 UTC.
    event = make_event(
        timezone="Asia/Kolkata",
        starts_at=datetime(2031, 1, 15, 4, 30, tzinfo=UTC),
        ends_at=datetime(2031, 1, 15, 7, 0, tzinfo=UTC),
    )

    calendar = parse(event_ics(event, show_online_url=False))
    vevent = only_event(calendar)

    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Kolkata"]
    assert vevent["DTSTART"].params["TZID"] == "Asia/Kolkata"
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert (start.hour, start.minute) == (10, 0)
    assert start.astimezone(UTC) == datetime(2031, 1, 15, 4, 30, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2031, 1, 15, 7, 0, tzinfo=UTC)
    assert str(vevent["UID"]) == f"{event.uid}@counterpoint"
    assert str(vevent["LOCATION"]) == event.location
    assert f"/training/{event.slug}/" in str(vevent["URL"])
    assert "hands-on" in str(vevent["DESCRIPTION"])


def test_event_across_the_paris_daylight_saving_change_keeps_local_and_utc_times(make_event):
    # Clocks in Paris go forward at 02:00 on Sunday 30 March 2031 (the last Sunday of March):
    # a Saturday 09:00 start is 08:00 UTC (CET) and the Sunday 17:00 end is 15:00 UTC (CEST).
    event = make_event(
        format="conference",
        timezone="Europe/Paris",
        starts_at=datetime(2031, 3, 29, 8, 0, tzinfo=UTC),
        ends_at=datetime(2031, 3, 30, 15, 0, tzinfo=UTC),
    )

    calendar = parse(event_ics(event, show_online_url=False))
    vevent = only_event(calendar)

    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert vevent["DTEND"].params["TZID"] == "Europe/Paris"
    assert (start.hour, end.hour) == (9, 17)
    assert start.astimezone(UTC) == datetime(2031, 3, 29, 8, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2031, 3, 30, 15, 0, tzinfo=UTC)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert {c.name for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_ics_shows_the_online_link_only_when_asked_to(make_event):
    event = make_event(location="", online_url="https://meet.example.test/room-42")

    hidden = only_event(parse(event_ics(event, show_online_url=False)))
    shown = only_event(parse(event_ics(event, show_online_url=True)))

    assert "room-42" not in str(hidden["LOCATION"]) + str(hidden["DESCRIPTION"])
    assert "room-42" in str(shown["LOCATION"])
    assert "room-42" in str(shown["DESCRIPTION"])


def test_changes_bump_the_sequence_and_cancellation_marks_the_entry_cancelled(make_event, policy):
    event = make_event()
    assert only_event(parse(event_ics(event, show_online_url=False)))["SEQUENCE"] == 0

    event = event_update(by=policy, event=event, location="Another hall")
    assert only_event(parse(event_ics(event, show_online_url=False)))["SEQUENCE"] == 1

    event = event_cancel(by=policy, event=event)
    vevent = only_event(parse(event_ics(event, show_online_url=False)))
    assert vevent["SEQUENCE"] == 2
    assert vevent["STATUS"] == "CANCELLED"
    assert str(vevent["UID"]) == f"{event.uid}@counterpoint"


def test_personal_feed_has_only_confirmed_events(make_event, ngo, ngo_member, client):
    from partners.models import Role
    from tests.factories import make_member

    confirmed = make_event(title="Confirmed one", online_url="https://meet.example.test/secret")
    waitlisted = make_event(title="Full one", capacity=1)
    cancelled = make_event(title="Given up")
    not_registered = make_event(title="Not for me")
    registration_register(user=make_member(ngo, Role.NGO_MEMBER), event=waitlisted)
    for event in (confirmed, waitlisted, cancelled):
        registration_register(user=ngo_member, event=event)
    registration_cancel(user=ngo_member, event=cancelled)
    assert Registration.objects.get(user=ngo_member, event=waitlisted).status == "waitlisted"
    token = calendar_token_reset(user=ngo_member)

    response = client.get(f"/training/feed/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = parse(response.content)
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["Confirmed one"]
    assert "meet.example.test/secret" in str(calendar.walk("VEVENT")[0]["LOCATION"])
    assert not_registered.title not in response.content.decode()


def test_resetting_the_feed_token_invalidates_the_old_address(ngo_member, client):
    old = calendar_token_reset(user=ngo_member)
    assert client.get(f"/training/feed/{old}.ics").status_code == 200

    new = calendar_token_reset(user=ngo_member)

    assert new != old
    assert client.get(f"/training/feed/{old}.ics").status_code == 404
    assert client.get(f"/training/feed/{new}.ics").status_code == 200


def test_feed_with_an_unknown_or_empty_token_is_not_found(ngo_member, client):
    assert client.get("/training/feed/not-a-real-token-at-all-0123456789.ics").status_code == 404
    assert client.get("/training/feed/.ics").status_code == 404


def test_feed_of_a_deactivated_person_is_not_found(ngo_member, client):
    token = calendar_token_reset(user=ngo_member)
    ngo_member.is_active = False
    ngo_member.save()

    assert client.get(f"/training/feed/{token}.ics").status_code == 404


def test_feed_keeps_a_cancelled_event_marked_cancelled_so_calendars_drop_it(make_event, ngo_member, policy, client):
    event = make_event(starts_at=datetime.now(UTC) + timedelta(days=3))
    registration_register(user=ngo_member, event=event)
    event_cancel(by=policy, event=event)
    token = calendar_token_reset(user=ngo_member)

    (vevent,) = parse(client.get(f"/training/feed/{token}.ics").content).walk("VEVENT")

    assert vevent["STATUS"] == "CANCELLED"


def test_the_feed_secret_is_stored_hashed_like_api_tokens(ngo_member, client):
    import hashlib

    token = calendar_token_reset(user=ngo_member)

    ngo_member.refresh_from_db()
    assert ngo_member.calendar_token == hashlib.sha256(token.encode()).hexdigest()
    assert token not in ngo_member.calendar_token
    assert client.get(f"/training/feed/{token}.ics").status_code == 200
    # The stored value is not itself an address that works.
    assert client.get(f"/training/feed/{ngo_member.calendar_token}.ics").status_code == 404


def test_the_migration_hashes_existing_secrets_so_their_feed_addresses_keep_working(ngo_member, client):
    import importlib

    from django.apps import apps

    from portal.models import User

    legacy = "a-feed-secret-stored-in-clear-before-0123456"
    User.objects.filter(pk=ngo_member.pk).update(calendar_token=legacy)
    User.objects.create_user("nofeed@example.test", "x")  # no feed: left alone
    migration = importlib.import_module("training.migrations.0002_hash_calendar_feed_tokens")

    migration.hash_feed_tokens(apps, None)

    ngo_member.refresh_from_db()
    assert ngo_member.calendar_token != legacy
    assert client.get(f"/training/feed/{legacy}.ics").status_code == 200
    assert User.objects.get(email="nofeed@example.test").calendar_token == ""
