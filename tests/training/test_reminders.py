from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Role
from tests.factories import make_member
from training.models import Registration
from training.services import event_cancel, registration_cancel, registration_claim_reminder, registration_register
from training.tasks import send_reminders


@pytest.fixture
def tomorrow_event(make_event):
    return make_event(starts_at=timezone.now() + timedelta(hours=23), online_url="https://meet.example.test/r1")


def test_reminder_goes_out_once_within_24_hours_of_the_start(
    tomorrow_event, ngo_member, django_capture_on_commit_callbacks
):
    registration_register(user=ngo_member, event=tomorrow_event)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 0

    assert [m.to for m in mail.outbox] == [[ngo_member.email]]
    assert tomorrow_event.title in mail.outbox[0].subject
    assert "meet.example.test/r1" in mail.outbox[0].body
    assert Registration.objects.get(user=ngo_member).reminder_sent_at is not None


def test_no_reminder_more_than_24_hours_before(make_event, ngo_member, django_capture_on_commit_callbacks):
    event = make_event(starts_at=timezone.now() + timedelta(hours=25))
    registration_register(user=ngo_member, event=event)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 0

    assert mail.outbox == []
    assert Registration.objects.get(user=ngo_member).reminder_sent_at is None


def test_no_reminder_for_cancelled_or_waitlisted_registrations_or_cancelled_events(
    make_event, ngo, policy, django_capture_on_commit_callbacks
):
    soon = timezone.now() + timedelta(hours=20)
    full = make_event(title="Full", starts_at=soon, capacity=1)
    seated, waiting, leaver = (make_member(ngo, Role.NGO_MEMBER) for _ in range(3))
    registration_register(user=seated, event=full)
    registration_register(user=waiting, event=full)
    other = make_event(title="Other", starts_at=soon)
    registration_register(user=leaver, event=other)
    registration_cancel(user=leaver, event=other)
    called_off = make_event(title="Called off", starts_at=soon)
    registration_register(user=waiting, event=called_off)
    event_cancel(by=policy, event=called_off)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1

    assert [m.to for m in mail.outbox] == [[seated.email]]


def test_a_reminder_is_claimed_by_exactly_one_runner(tomorrow_event, ngo_member):
    registration = registration_register(user=ngo_member, event=tomorrow_event)
    now = timezone.now()

    assert registration_claim_reminder(registration_id=registration.pk, now=now) is True
    assert registration_claim_reminder(registration_id=registration.pk, now=now) is False


def test_no_reminder_once_the_event_has_started(make_event, ngo_member, django_capture_on_commit_callbacks):
    event = make_event(starts_at=timezone.now() + timedelta(hours=1))
    registration_register(user=ngo_member, event=event)
    # The beat was down until after the start: a late reminder would only confuse.
    type(event).objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 0

    assert mail.outbox == []
