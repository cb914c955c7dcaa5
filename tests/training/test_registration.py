from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Role
from portal.errors import DomainError, NotAllowed
from portal.models import AuditEvent, Notification
from tests.factories import make_member
from training.models import Registration, RegistrationStatus
from training.selectors import waitlist_position
from training.services import registration_cancel, registration_register


@pytest.fixture
def three_members(ngo, other_ngo):
    return [
        make_member(ngo, Role.NGO_MEMBER),
        make_member(other_ngo, Role.NGO_MEMBER),
        make_member(ngo, Role.NGO_ADMIN),
    ]


def test_capacity_two_with_three_registrations_confirms_two_and_waitlists_one(make_event, three_members):
    event = make_event(capacity=2)

    statuses = [registration_register(user=u, event=event).status for u in three_members]

    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    third = Registration.objects.get(event=event, user=three_members[2])
    assert waitlist_position(third) == 1


def test_waitlist_positions_follow_registration_order(make_event, ngo):
    event = make_event(capacity=1)
    people = [make_member(ngo, Role.NGO_MEMBER) for _ in range(4)]
    registrations = [registration_register(user=u, event=event) for u in people]

    assert [waitlist_position(r) for r in registrations] == [None, 1, 2, 3]


def test_cancelling_a_confirmed_seat_promotes_the_first_waitlisted_and_tells_them(
    make_event, three_members, django_capture_on_commit_callbacks
):
    event = make_event(capacity=2)
    first, _, waiting = three_members
    for user in three_members:
        registration_register(user=user, event=event)
    assert Registration.objects.get(event=event, user=waiting).status == "waitlisted"

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(user=first, event=event)

    assert Registration.objects.get(event=event, user=first).status == "cancelled"
    assert Registration.objects.get(event=event, user=waiting).status == "confirmed"
    note = Notification.objects.get(user=waiting)
    assert event.title in note.subject
    assert note.link == f"/training/{event.slug}/"
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    assert "now yours" in mail.outbox[0].body
    assert AuditEvent.objects.filter(
        action="training.registration.promote", object_id=str(event.registrations.get(user=waiting).pk)
    ).exists()


def test_cancelling_a_waitlisted_place_promotes_no_one(make_event, ngo):
    event = make_event(capacity=1)
    seated, second, third = (make_member(ngo, Role.NGO_MEMBER) for _ in range(3))
    for user in (seated, second, third):
        registration_register(user=user, event=event)

    registration_cancel(user=second, event=event)

    assert Registration.objects.get(event=event, user=third).status == "waitlisted"
    assert waitlist_position(Registration.objects.get(event=event, user=third)) == 1
    assert not Notification.objects.filter(user=third).exists()


def test_registration_is_refused_after_it_closes(make_event, ngo_member):
    now = timezone.now()
    event = make_event(registration_closes_at=now - timedelta(minutes=1), starts_at=now + timedelta(days=2))

    with pytest.raises(DomainError, match="closed") as exc:
        registration_register(user=ngo_member, event=event)

    assert exc.value.status_code == 400
    assert not Registration.objects.exists()


def test_registration_is_refused_once_the_event_has_started(make_event, ngo_member):
    event = make_event(starts_at=timezone.now() + timedelta(days=1))

    with pytest.raises(DomainError, match="closed"):
        registration_register(user=ngo_member, event=event, now=event.starts_at + timedelta(minutes=5))


def test_registration_is_refused_for_a_cancelled_event(make_event, ngo_member, policy):
    from training.services import event_cancel

    event = make_event()
    event_cancel(by=policy, event=event)

    with pytest.raises(DomainError, match="cancelled") as exc:
        registration_register(user=ngo_member, event=event)
    assert exc.value.status_code == 400


def test_registration_is_refused_outside_the_audience(make_event, liaison, reviewer, ngo_member):
    event = make_event(audience=["ngo"])

    for outsider in (liaison, reviewer):
        with pytest.raises(NotAllowed):
            registration_register(user=outsider, event=event)
    assert registration_register(user=ngo_member, event=event).status == "confirmed"
    assert Registration.objects.count() == 1


def test_registering_twice_for_the_same_event_is_refused(make_event, ngo_member):
    event = make_event()
    registration_register(user=ngo_member, event=event)

    with pytest.raises(DomainError, match="already registered") as exc:
        registration_register(user=ngo_member, event=event)

    assert exc.value.status_code == 409
    assert Registration.objects.filter(event=event, user=ngo_member).count() == 1


def test_registering_again_after_cancelling_reuses_the_row_at_the_back_of_the_line(make_event, ngo):
    event = make_event(capacity=1)
    seated, leaver, stayer = (make_member(ngo, Role.NGO_MEMBER) for _ in range(3))
    for user in (seated, leaver, stayer):
        registration_register(user=user, event=event)
    registration_cancel(user=leaver, event=event)

    again = registration_register(user=leaver, event=event)

    assert again.status == "waitlisted"
    assert Registration.objects.filter(event=event, user=leaver).count() == 1
    assert waitlist_position(again) == 2


def test_cancelling_without_a_registration_is_refused(make_event, ngo_member):
    with pytest.raises(DomainError, match="not registered"):
        registration_cancel(user=ngo_member, event=make_event())


def test_cancelling_after_the_start_is_refused(make_event, ngo_member):
    event = make_event(starts_at=timezone.now() + timedelta(hours=3))
    registration_register(user=ngo_member, event=event)

    with pytest.raises(DomainError, match="started"):
        registration_cancel(user=ngo_member, event=event, now=event.starts_at + timedelta(minutes=1))
    assert Registration.objects.get(event=event, user=ngo_member).status == RegistrationStatus.CONFIRMED


def test_raising_the_capacity_gives_the_new_seats_to_the_waitlist(make_event, ngo, policy):
    from training.services import event_update

    event = make_event(capacity=1)
    people = [make_member(ngo, Role.NGO_MEMBER) for _ in range(3)]
    for user in people:
        registration_register(user=user, event=event)

    event_update(by=policy, event=event, capacity=2)

    assert [Registration.objects.get(event=event, user=u).status for u in people] == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
