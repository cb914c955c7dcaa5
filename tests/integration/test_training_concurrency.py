"""Two people taking the last seat at the same instant on PostgreSQL: exactly one gets it."""

import threading
from datetime import UTC, datetime, timedelta

from django.db import connection

from partners.models import OrganisationKind, Role
from tests.factories import OrganisationFactory, make_member
from training.models import Registration
from training.services import event_create, registration_register


def _register(user, event, barrier, results) -> None:
    """One person's request, on its own database connection."""
    try:
        barrier.wait(timeout=10)
        results[user.pk] = registration_register(user=user, event=event).status
    except Exception as exc:  # reported by the assertion in the test
        results[user.pk] = repr(exc)
    finally:
        connection.close()


def test_two_registrations_for_the_last_seat_at_once_confirm_exactly_one(transactional_db):
    assert connection.vendor == "postgresql"
    ngo = OrganisationFactory(kind=OrganisationKind.NGO)
    platform = OrganisationFactory(kind=OrganisationKind.PLATFORM)
    policy = make_member(platform, Role.POLICY_STAFF)
    seated, first, second = (make_member(ngo, Role.NGO_MEMBER) for _ in range(3))
    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    event = event_create(
        by=policy,
        title="Last seat",
        format="workshop",
        topics=[],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        timezone="Europe/Berlin",
        location="Room 1",
        capacity=2,
        audience=["ngo"],
    )
    registration_register(user=seated, event=event)

    for _ in range(5):
        Registration.objects.filter(user__in=[first, second]).delete()
        barrier = threading.Barrier(2)
        results: dict = {}

        threads = [threading.Thread(target=_register, args=(u, event, barrier, results)) for u in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

        assert sorted(results.values()) == ["confirmed", "waitlisted"], results
        assert Registration.objects.filter(event=event, status="confirmed").count() == 2
