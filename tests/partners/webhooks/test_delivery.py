"""Sending deliveries to a real receiver on 127.0.0.1: signed, retried with backoff, failed once."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import WebhookDelivery
from partners.webhooks.delivery import BACKOFF, LEASE, MAX_TRIES, deliveries_due, delivery_claim, delivery_send
from partners.webhooks.services import webhook_event_emit
from portal.models import Notification
from tests.factories import make_member
from tests.partners.webhooks.receiver import Receiver, docs_verify

Delivered, Failed, Pending = (
    WebhookDelivery.State.DELIVERED,
    WebhookDelivery.State.FAILED,
    WebhookDelivery.State.PENDING,
)


def _emit(webhook, type="referral.decided", data=None, now=None) -> WebhookDelivery:
    webhook_event_emit(organisation_id=webhook.organisation_id, type=type, data=data or {"referral": "R-1"}, now=now)
    return WebhookDelivery.objects.filter(webhook=webhook).latest("created_at")


def test_an_emitted_event_reaches_the_receiver_signed_so_the_docs_function_verifies_it(
    receiver, make_webhook, django_capture_on_commit_callbacks
):
    webhook, secret = make_webhook(receiver.url)
    verify = docs_verify()

    with django_capture_on_commit_callbacks(execute=True):
        count = webhook_event_emit(
            organisation_id=webhook.organisation_id, type="referral.decided", data={"referral": "R-7", "decision": "x"}
        )

    assert count == 1
    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    headers = request["headers"]
    assert request["path"] == "/hooks/counterpoint?src=test"
    assert headers["Content-Type"] == "application/json"
    assert headers["Counterpoint-Event"] == "referral.decided"
    assert headers["User-Agent"] == "Counterpoint-Webhooks/1"
    assert verify(secret, headers["Counterpoint-Signature"], request["body"])
    assert not verify("whsec_wrong", headers["Counterpoint-Signature"], request["body"])
    assert not verify(secret, headers["Counterpoint-Signature"], request["body"] + b" ")
    body = json.loads(request["body"])
    assert body == {
        "id": str(delivery.pk),
        "type": "referral.decided",
        "created_at": delivery.created_at.isoformat(),
        "data": {"referral": "R-7", "decision": "x"},
    }
    assert (delivery.state, delivery.status_code, delivery.attempts) == (Delivered, 200, 1)
    assert delivery.delivered_at is not None and delivery.leased_until is None


def test_the_docs_function_refuses_a_signature_older_than_five_minutes(receiver, make_webhook):
    webhook, secret = make_webhook(receiver.url)
    delivery = _emit(webhook)
    delivery_send(delivery_id=delivery.pk)
    request = receiver.requests[0]
    header = request["headers"]["Counterpoint-Signature"]
    signed_at = int(header.split(",")[0].removeprefix("t="))
    verify = docs_verify()

    assert verify(secret, header, request["body"], now=signed_at + 299)
    assert not verify(secret, header, request["body"], now=signed_at + 301)


def test_only_subscribed_active_webhooks_of_the_organisation_get_the_event(
    receiver, make_webhook, other_ngo, ngo_admin
):
    decided, _ = make_webhook(receiver.url, events=["referral.decided"])
    _messages_only, _ = make_webhook(receiver.url, events=["message.created"])
    switched_off, _ = make_webhook(receiver.url, events=["referral.decided"])
    switched_off.active = False
    switched_off.save()
    other_admin = make_member(other_ngo, "ngo_admin")
    _elsewhere, _ = make_webhook(receiver.url, events=["referral.decided"], by=other_admin)

    assert (
        webhook_event_emit(organisation_id=ngo_admin.membership.organisation_id, type="referral.decided", data={}) == 1
    )

    assert list(WebhookDelivery.objects.values_list("webhook", flat=True)) == [decided.pk]


def test_an_unknown_event_type_is_a_programming_error(make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)
    with pytest.raises(ValueError):
        webhook_event_emit(organisation_id=webhook.organisation_id, type="referral.exploded", data={})


def test_a_failing_receiver_is_retried_with_backoff_then_marked_failed_and_the_admins_told_once(
    make_webhook, ngo_admin, ngo_member, ngo, django_capture_on_commit_callbacks
):
    second_admin = make_member(ngo, "ngo_admin")
    with Receiver(status=500) as failing:
        webhook, _ = make_webhook(failing.url)
        start = timezone.now()
        delivery = _emit(webhook, now=start)
        now = start
        for attempt, wait in enumerate(BACKOFF, start=1):
            assert delivery_send(delivery_id=delivery.pk, now=now) == Pending
            delivery.refresh_from_db()
            assert (delivery.attempts, delivery.status_code, delivery.last_error) == (attempt, 500, "HTTP 500")
            assert delivery.next_attempt_at == now + wait
            # Not due a moment before its time, due at it.
            assert delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at - timedelta(seconds=1)) is None
            now = delivery.next_attempt_at
        assert [b.total_seconds() for b in BACKOFF] == [60, 300, 900, 3600, 7200, 14400, 28800]

        with django_capture_on_commit_callbacks(execute=True):
            assert delivery_send(delivery_id=delivery.pk, now=now) == Failed

        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (Failed, MAX_TRIES) == (Failed, 8)
        assert len(failing.requests) == 8
        assert (now - start) < timedelta(days=1)
        told = Notification.objects.filter(subject__contains="referral.decided")
        assert sorted(n.user_id for n in told) == sorted([ngo_admin.pk, second_admin.pk])  # not the member
        assert sorted(to for m in mail.outbox for to in m.to) == sorted([ngo_admin.email, second_admin.email])
        assert all(webhook.url in m.body for m in mail.outbox)

        # A failed delivery is not sent again by itself; "send again" that fails tells nobody again.
        assert delivery_send(delivery_id=delivery.pk, now=now + timedelta(days=2)) is None
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=Pending, next_attempt_at=now)
        with django_capture_on_commit_callbacks(execute=True):
            assert delivery_send(delivery_id=delivery.pk, now=now) == Failed
        assert told.count() == 2 and len(mail.outbox) == 2


def test_a_liaison_is_told_when_the_agency_webhook_fails(liaison, django_capture_on_commit_callbacks):
    from partners.webhooks.services import webhook_create

    with Receiver(status=503) as failing:
        webhook, _ = webhook_create(by=liaison, url=failing.url, events=["production.ready"])
        delivery = _emit(webhook, type="production.ready")
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=MAX_TRIES - 1)
        with django_capture_on_commit_callbacks(execute=True):
            assert delivery_send(delivery_id=delivery.pk) == Failed

    assert Notification.objects.filter(user=liaison).count() == 1


def test_a_redirect_is_not_followed_and_counts_as_a_failed_try(receiver, make_webhook):
    with Receiver(status=302, location=receiver.url) as redirecting:
        webhook, _ = make_webhook(redirecting.url)
        delivery = _emit(webhook)

        assert delivery_send(delivery_id=delivery.pk) == Pending

    delivery.refresh_from_db()
    assert (delivery.status_code, delivery.attempts, delivery.last_error) == (302, 1, "Redirect not followed")
    assert len(redirecting.requests) == 1
    assert receiver.requests == []  # the Location was never visited


def test_a_receiver_that_does_not_answer_is_a_failed_try(make_webhook, monkeypatch):
    from partners.webhooks import delivery as delivery_module

    monkeypatch.setattr(delivery_module.post, "__kwdefaults__", {"timeout": 0.3})
    with Receiver(status=lambda body: __import__("time").sleep(1) or 200) as slow:
        webhook, _ = make_webhook(slow.url)
        delivery = _emit(webhook)
        assert delivery_send(delivery_id=delivery.pk) == Pending

    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status_code is None
    assert delivery.last_error == "timed out"


def test_a_refused_connection_is_a_failed_try(make_webhook):
    with Receiver() as gone:
        url = gone.url
    webhook, _ = make_webhook(url)
    delivery = _emit(webhook)

    assert delivery_send(delivery_id=delivery.pk) == Pending

    delivery.refresh_from_db()
    assert delivery.attempts == 1 and "Connection" in delivery.last_error


def test_a_leased_delivery_is_not_sent_again_within_its_lease(receiver, make_webhook):
    webhook, _ = make_webhook(receiver.url)
    delivery = _emit(webhook)
    now = timezone.now()
    lease = delivery_claim(delivery_id=delivery.pk, now=now)  # a worker took it, then died

    assert lease == now + LEASE
    assert delivery_send(delivery_id=delivery.pk, now=now + LEASE - timedelta(seconds=1)) is None
    assert deliveries_due(now=now + LEASE - timedelta(seconds=1)) == []
    assert receiver.requests == []

    assert deliveries_due(now=now + LEASE + timedelta(seconds=1)) == [str(delivery.pk)]
    assert delivery_send(delivery_id=delivery.pk, now=now + LEASE + timedelta(seconds=1)) == Delivered
    assert len(receiver.requests) == 1


def test_a_delivered_delivery_is_not_sent_again_by_a_repeated_task(receiver, make_webhook):
    webhook, _ = make_webhook(receiver.url)
    delivery = _emit(webhook)

    assert delivery_send(delivery_id=delivery.pk) == Delivered
    assert delivery_send(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 1


def test_the_sweeper_sends_what_is_due_and_skips_switched_off_webhooks(receiver, make_webhook):
    from partners.tasks import send_due_webhooks

    on, _ = make_webhook(receiver.url)
    off, _ = make_webhook(receiver.url, events=["message.created"])
    due = _emit(on)
    later = _emit(on)
    WebhookDelivery.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    waiting = _emit(off, type="message.created")
    off.active = False
    off.save()

    assert send_due_webhooks() == 1  # without a broker the send runs at once

    states = dict(WebhookDelivery.objects.values_list("pk", "state"))
    assert states == {due.pk: Delivered, later.pk: Pending, waiting.pk: Pending}
    assert [json.loads(r["body"])["id"] for r in receiver.requests] == [str(due.pk)]


def test_a_rotated_secret_signs_the_next_try(receiver, make_webhook, ngo_admin):
    from partners.webhooks.services import webhook_rotate_secret

    webhook, old = make_webhook(receiver.url)
    delivery = _emit(webhook)
    new = webhook_rotate_secret(by=ngo_admin, webhook=webhook)
    delivery_send(delivery_id=delivery.pk)
    request = receiver.requests[0]
    verify = docs_verify()

    assert new != old and new.startswith("whsec_")
    assert verify(new, request["headers"]["Counterpoint-Signature"], request["body"])
    assert not verify(old, request["headers"]["Counterpoint-Signature"], request["body"])
