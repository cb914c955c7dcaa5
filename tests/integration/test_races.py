"""Two requests for the same thing at the same instant on PostgreSQL (SPEC §12): one wins, the
other gets a clean answer (409, or 204 for an empty queue), never a 500 or a second row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from partners.models import Role
from partners.services import api_token_issue
from portal.accounts.roles import requires_mfa
from referrals.models import Decision, IdempotencyRecord, Referral, Status, TimelineEvent
from tests.conftest import login
from tests.factories import enrol_totp, has_totp, make_member
from tests.referrals.factories import referral_data
from tests.referrals.review_factories import claimed, routed
from training.models import Registration

pytestmark = pytest.mark.integration

DECISION = {
    "action": "content_removed",
    "ground": "terms",
    "policy": "Violent extremism policy 3.1",
    "statement_of_reasons": "The post recruits for a proscribed organisation.",
}


@pytest.fixture(autouse=True)
def _no_routing_left_behind(transactional_db):
    """Filing on the integration lane publishes routing tasks; no worker here consumes them."""
    yield
    from portal.celery import app

    app.control.purge()


def api(user) -> APIClient:
    if requires_mfa(user) and not has_totp(user):
        enrol_totp(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user, name='race')[1]}")
    return client


def at_once(*calls) -> list:
    """Run each call on its own thread and database connection, released together; return
    their responses in order (an exception in a thread is returned in its place)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # reported by the assertions of the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def codes(responses) -> list:
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


def test_two_decisions_on_one_referral_at_once_record_one_and_the_other_is_a_409(
    routing_table, ngo_member, reviewer, lead
):
    assert connection.vendor == "postgresql"
    for _ in range(3):
        referral = claimed(reviewer, ngo_member)
        by_reviewer, by_lead = api(reviewer), api(lead)
        url = f"/api/v1/referrals/{referral.id}/decision/"

        responses = at_once(
            lambda c=by_reviewer, u=url: c.post(u, DECISION, format="json"),
            lambda c=by_lead, u=url: c.post(u, {**DECISION, "action": "no_action"}, format="json"),
        )

        assert codes(responses) == [200, 409], responses
        loser = next(r for r in responses if r.status_code == 409)
        assert "cannot be decided" in loser.json()["detail"]
        assert Decision.objects.filter(referral=referral).count() == 1
        assert TimelineEvent.objects.filter(referral=referral, type="decided").count() == 1


def test_two_reviewers_claiming_the_last_referral_at_once_one_gets_it_the_other_204(
    routing_table, ngo_member, platform
):
    referral = routed(ngo_member)
    first, second = (make_member(platform, Role.REVIEWER) for _ in range(2))
    referral.queue.members.add(first, second)
    url = f"/api/v1/queues/{referral.queue.slug}/claim/"
    clients = [api(first), api(second)]

    responses = at_once(*(lambda c=c: c.post(url) for c in clients))

    assert codes(responses) == [200, 204], responses
    referral.refresh_from_db()
    assert referral.status == Status.IN_REVIEW
    assert referral.assignee in (first, second)


def test_two_reviewers_claiming_one_referral_from_its_page_at_once_give_it_to_one(routing_table, ngo_member, platform):
    referral = routed(ngo_member)
    first, second = (make_member(platform, Role.REVIEWER) for _ in range(2))
    referral.queue.members.add(first, second)
    pages = [login(Client(), first), login(Client(), second)]
    url = f"/referrals/{referral.reference}/claim/"

    responses = at_once(*(lambda p=p: p.post(url) for p in pages))

    assert codes(responses) == [302, 302], responses
    referral.refresh_from_db()
    assert referral.assignee in (first, second)
    assert TimelineEvent.objects.filter(referral=referral, type="claimed").count() == 1


def test_registering_twice_at_once_takes_one_seat_and_the_other_is_a_409(ngo_member, policy):
    from datetime import timedelta

    from django.utils import timezone

    from training.services import event_create

    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=5)
    event = event_create(
        by=policy,
        title="Double click",
        format="webinar",
        topics=[],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        timezone="UTC",
        online_url="https://meet.example.org/x",
        capacity=10,
        audience=["ngo"],
    )
    client = api(ngo_member)
    url = f"/api/v1/events/{event.slug}/register/"

    responses = at_once(lambda: client.post(url), lambda: client.post(url))

    assert codes(responses) == [201, 409], responses
    assert Registration.objects.filter(event=event, user=ngo_member).count() == 1


def test_the_same_idempotency_key_twice_at_once_files_one_referral(routing_table, ngo_member):
    client = api(ngo_member)
    body = referral_data()

    responses = at_once(
        *(
            lambda: client.post("/api/v1/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
            for _ in range(2)
        )
    )

    assert codes(responses) in ([201, 201], [201, 409]), responses
    assert Referral.objects.count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201
