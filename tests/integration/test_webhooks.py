"""SPEC §19 on real PostgreSQL, Redis and celery worker processes: a worker killed while a
webhook delivery is in flight loses no delivery, and none is sent twice within its lease; a
repeat after the lease carries the same id, which receivers drop.

Run in the integration lane (PORTAL_TEST_LANE=integration).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict

import pytest
from django.db import transaction

from partners.models import Role, WebhookDelivery
from partners.webhooks.delivery import LEASE, deliveries_send_due
from partners.webhooks.services import webhook_create, webhook_event_emit
from tests.factories import make_member
from tests.integration.conftest import wait_until
from tests.partners.webhooks.receiver import Receiver, docs_verify

pytestmark = pytest.mark.integration
EVENTS = 6


def test_a_worker_killed_mid_delivery_loses_none_and_sends_none_twice_within_the_lease(worker_factory, ngo):
    admin = make_member(ngo, Role.NGO_ADMIN)
    in_flight = threading.Event()
    killed = threading.Event()
    first: list[bytes] = []

    def answer(body: bytes):
        if not first:
            first.append(body)
            in_flight.set()
            killed.wait(60)  # holds the first request until its worker is dead
            return None  # and goes away without answering
        return 200

    with Receiver(status=answer) as receiver:
        _webhook, secret = webhook_create(by=admin, url=receiver.url, events=["referral.decided"])
        worker = worker_factory(concurrency=1)
        with transaction.atomic():
            for n in range(EVENTS):
                webhook_event_emit(organisation_id=ngo.pk, type="referral.decided", data={"n": n})

        wait_until(in_flight.is_set, timeout=60)
        worker.kill()
        killed.set()
        stuck = WebhookDelivery.objects.get(pk=json.loads(first[0])["id"])
        assert stuck.state == WebhookDelivery.State.PENDING and stuck.leased_until is not None

        worker_factory(concurrency=2)

        def all_delivered():
            deliveries_send_due()  # the beat's sweeper, run by hand
            return WebhookDelivery.objects.filter(state=WebhookDelivery.State.DELIVERED).count() == EVENTS

        # The stuck delivery waits for its lease to run out (a minute), then the sweeper sends it.
        wait_until(all_delivered, timeout=LEASE.total_seconds() + 90, interval=2)

    received = defaultdict(list)
    verify = docs_verify()
    for request in receiver.requests:
        assert verify(secret, request["headers"]["Counterpoint-Signature"], request["body"])
        received[json.loads(request["body"])["id"]].append(request["at"])
    deliveries = {str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)}
    assert set(received) == deliveries and len(deliveries) == EVENTS  # none lost
    for delivery_id, times in received.items():
        for earlier, later in itertools.pairwise(times):
            # A repeat only once the lease of the try before it ran out.
            assert later - earlier >= LEASE.total_seconds() - 1, delivery_id
    assert len(received[str(stuck.pk)]) == 2  # the one in flight was sent again, with its id
    assert {json.loads(r["body"])["data"]["n"] for r in receiver.requests} == set(range(EVENTS))
