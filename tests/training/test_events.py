from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from partners.models import Role
from portal.errors import NotAllowed, TransitionError
from portal.models import AuditEvent, Notification
from tests.factories import make_member
from training.models import Event
from training.services import event_cancel, event_update, registration_register


def test_policy_staff_publish_an_event_with_a_slug_made_from_the_title(make_event, policy):
    event = make_event(title="Recognising Recruitment Narratives", topics=[" OSINT ", "osint", "Recruitment"])

    assert event.slug == "recognising-recruitment-narratives"
    assert event.topics == ["osint", "recruitment"]
    assert event.organiser == policy
    assert event.status == "scheduled"
    assert AuditEvent.objects.filter(action="training.event.create", object_id=str(event.pk)).exists()
    assert make_event(title="Recognising recruitment narratives").slug == "recognising-recruitment-narratives-2"


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "reviewer", "lead"])
def test_only_policy_staff_create_events(make_event, persona, request):
    with pytest.raises(NotAllowed):
        make_event(by=request.getfixturevalue(persona))
    assert not Event.objects.exists()


def test_bad_event_fields_are_all_reported_and_nothing_is_saved(make_event):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        make_event(
            timezone="Mars/Olympus_Mons",
            starts_at=start,
            ends_at=start - timedelta(hours=1),
            location="",
            online_url="",
            audience=["aliens"],
            capacity=0,
            registration_closes_at=start + timedelta(hours=1),
        )

    assert set(exc.value.message_dict) == {
        "timezone",
        "ends_at",
        "location",
        "audience",
        "capacity",
        "registration_closes_at",
    }
    assert not Event.objects.exists()


def test_named_organisers_may_edit_but_not_rename_organisers(make_event, policy, reviewer, ngo_member):
    event = make_event(organisers=[reviewer])

    event_update(by=reviewer, event=event, title="New title")
    assert Event.objects.get(pk=event.pk).title == "New title"

    with pytest.raises(NotAllowed):
        event_update(by=reviewer, event=event, organisers=[reviewer, ngo_member])
    with pytest.raises(NotAllowed):
        event_update(by=ngo_member, event=event, title="Hijacked")
    assert Event.objects.get(pk=event.pk).title == "New title"


def test_a_change_of_time_tells_registrants_with_an_updated_ics(
    make_event, policy, ngo, django_capture_on_commit_callbacks
):
    event = make_event(capacity=1, online_url="https://meet.example.test/abc")
    seated, waiting = make_member(ngo, Role.NGO_MEMBER), make_member(ngo, Role.NGO_MEMBER)
    registration_register(user=seated, event=event)
    registration_register(user=waiting, event=event)
    new_start = event.starts_at + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        event_update(by=policy, event=event, starts_at=new_start, ends_at=new_start + timedelta(hours=2))

    assert Notification.objects.filter(user__in=[seated, waiting], subject__startswith="Changed").count() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {seated.email, waiting.email}
    for email, message in by_recipient.items():
        (name, body, mimetype) = message.attachments[0]
        assert name == f"{event.slug}.ics"
        assert mimetype.startswith("text/calendar")
        (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert vevent.decoded("DTSTART").astimezone(UTC) == new_start
        assert vevent["SEQUENCE"] == 1
        assert ("meet.example.test/abc" in str(vevent["LOCATION"])) is (email == seated.email)


def test_a_change_of_description_only_tells_no_one(make_event, policy, ngo_member, django_capture_on_commit_callbacks):
    event = make_event()
    registration_register(user=ngo_member, event=event)

    with django_capture_on_commit_callbacks(execute=True):
        event_update(by=policy, event=event, description="Now with more detail.")

    assert mail.outbox == []
    assert Event.objects.get(pk=event.pk).sequence == 1


def test_cancelling_an_event_tells_registrants_with_a_cancelling_ics(
    make_event, policy, ngo_member, django_capture_on_commit_callbacks
):
    event = make_event()
    registration_register(user=ngo_member, event=event)

    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(by=policy, event=event)

    assert Event.objects.get(pk=event.pk).status == "cancelled"
    (message,) = mail.outbox
    assert message.subject.startswith("Cancelled")
    (vevent,) = icalendar.Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED"
    with pytest.raises(TransitionError):
        event_cancel(by=policy, event=event)


def test_times_typed_in_the_event_zone_are_stored_in_utc(policy, client_for):
    client = client_for(policy)
    response = client.post(
        "/training/new/",
        {
            "title": "Briefing in Delhi",
            "format": "briefing",
            "topics": "propaganda, Telegram",
            "timezone": "Asia/Kolkata",
            "starts_at": "2031-01-15T10:00",
            "ends_at": "2031-01-15T12:30",
            "location": "Delhi",
            "audience": ["ngo", "law_enforcement"],
        },
    )

    assert response.status_code == 302
    event = Event.objects.get(slug="briefing-in-delhi")
    assert event.starts_at == datetime(2031, 1, 15, 4, 30, tzinfo=UTC)
    assert event.ends_at == datetime(2031, 1, 15, 7, 0, tzinfo=UTC)
    assert event.topics == ["propaganda", "telegram"]


def test_a_time_skipped_by_the_clocks_going_forward_is_refused(policy, client_for):
    response = client_for(policy).post(
        "/training/new/",
        {
            "title": "Night owls",
            "format": "webinar",
            "timezone": "Europe/Paris",
            "starts_at": "2031-03-30T02:30",
            "ends_at": "2031-03-30T04:00",
            "online_url": "https://meet.example.test/x",
            "audience": ["ngo"],
        },
    )

    assert response.status_code == 200
    assert "does not exist" in response.content.decode()
    assert not Event.objects.exists()
