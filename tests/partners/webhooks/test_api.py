"""The webhook API (SPEC §19, a Contract)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Webhook, WebhookDelivery
from partners.webhooks.services import MAX_WEBHOOKS, webhook_create, webhook_event_emit
from portal.models import AuditEvent
from tests.factories import make_member

URL = "/api/v1/webhooks/"


@pytest.fixture
def admin_api(api_for, ngo_admin):
    return api_for(ngo_admin)


def test_creating_a_webhook_shows_its_secret_once(admin_api, receiver):
    created = admin_api.post(
        URL, {"url": receiver.url, "events": ["referral.decided", "message.created"]}, format="json"
    )

    assert created.status_code == 201
    body = created.json()
    webhook = Webhook.objects.get()
    assert body == {
        "id": str(webhook.pk),
        "url": receiver.url,
        "events": ["referral.decided", "message.created"],
        "active": True,
        "secret": webhook.secret,
    }
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    listed = admin_api.get(URL).json()
    assert listed["results"] == [{k: v for k, v in body.items() if k != "secret"}]
    assert "secret" not in admin_api.get(f"{URL}{webhook.pk}/").json()
    entry = AuditEvent.objects.get(action="webhook.create")
    assert webhook.secret not in str(entry.data)


def test_a_liaison_manages_the_agency_webhooks(api_for, liaison, receiver):
    created = api_for(liaison).post(URL, {"url": receiver.url, "events": ["production.ready"]}, format="json")

    assert created.status_code == 201
    assert Webhook.objects.get().organisation_id == liaison.membership.organisation_id


@pytest.mark.parametrize("persona", ["ngo_member", "reviewer", "lead", "policy"])
def test_roles_that_do_not_manage_webhooks_are_refused(request, api_for, persona, receiver):
    api = api_for(request.getfixturevalue(persona))

    assert api.post(URL, {"url": receiver.url, "events": ["referral.decided"]}, format="json").status_code == 403
    assert api.get(URL).status_code == 403
    assert not Webhook.objects.exists()


def test_anonymous_is_refused(anon_api):
    assert anon_api.get(URL).status_code == 401


def test_another_organisations_webhook_is_not_found(api_for, other_ngo, make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)
    delivery_count = webhook_event_emit(organisation_id=webhook.organisation_id, type="referral.decided", data={})
    delivery = WebhookDelivery.objects.get()
    outsider = api_for(make_member(other_ngo, "ngo_admin"))

    assert delivery_count == 1
    assert outsider.get(URL).json()["results"] == []
    assert outsider.get(f"{URL}{webhook.pk}/").status_code == 404
    assert outsider.delete(f"{URL}{webhook.pk}/").status_code == 404
    assert outsider.get(f"{URL}{webhook.pk}/deliveries/").status_code == 404
    assert outsider.post(f"{URL}{webhook.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 404
    assert outsider.post(f"{URL}{webhook.pk}/rotate-secret/").status_code == 404
    assert Webhook.objects.filter(pk=webhook.pk).exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"url": "http://example.org/hook", "events": ["referral.decided"]}, "url"),
        ({"url": "https://10.0.0.1/hook", "events": ["referral.decided"]}, "url"),
        ({"url": "https://[::1]/hook", "events": ["referral.decided"]}, "url"),
        ({"url": "https://u:p@example.org/hook", "events": ["referral.decided"]}, "url"),
        ({"url": "", "events": ["referral.decided"]}, "url"),
        ({"url": "https://example.org/hook", "events": []}, "events"),
        ({"url": "https://example.org/hook", "events": ["referral.exploded"]}, "events"),
        ({"url": "https://example.org/hook"}, "events"),
    ],
)
def test_invalid_webhooks_are_a_400_per_field(admin_api, payload, field, monkeypatch):
    import ipaddress
    import socket

    def resolve(host, port, *args, **kwargs):
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            address = "93.184.215.14"  # a name: a public address
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    answer = admin_api.post(URL, payload, format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert not Webhook.objects.exists()


def test_an_organisation_has_at_most_ten_webhooks(admin_api, make_webhook, receiver):
    for _ in range(MAX_WEBHOOKS):
        make_webhook(receiver.url)

    answer = admin_api.post(URL, {"url": receiver.url, "events": ["referral.decided"]}, format="json")

    assert answer.status_code == 400 and "detail" in answer.json()
    assert Webhook.objects.count() == MAX_WEBHOOKS


def test_deleting_a_webhook_answers_204_and_is_audited(admin_api, make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)

    assert admin_api.delete(f"{URL}{webhook.pk}/").status_code == 204

    assert not Webhook.objects.exists()
    assert AuditEvent.objects.filter(action="webhook.delete", object_id=str(webhook.pk)).exists()


def test_switching_a_webhook_off_and_changing_its_events(admin_api, make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)

    answer = admin_api.patch(f"{URL}{webhook.pk}/", {"active": False, "events": ["appeal.decided"]}, format="json")

    assert answer.status_code == 200 and answer.json()["active"] is False
    webhook.refresh_from_db()
    assert (webhook.active, webhook.events) == (False, ["appeal.decided"])


def test_rotating_the_secret_shows_the_new_one_once(admin_api, make_webhook, receiver):
    webhook, old = make_webhook(receiver.url)

    answer = admin_api.post(f"{URL}{webhook.pk}/rotate-secret/")

    webhook.refresh_from_db()
    assert answer.status_code == 200
    assert answer.json()["secret"] == webhook.secret != old
    assert webhook.secret_rotated_at is not None
    assert old not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_the_delivery_log_and_redelivery(admin_api, make_webhook, receiver, django_capture_on_commit_callbacks):
    webhook, _ = make_webhook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(organisation_id=webhook.organisation_id, type="referral.decided", data={"a": 1})
    delivery = WebhookDelivery.objects.get()

    log = admin_api.get(f"{URL}{webhook.pk}/deliveries/").json()

    [row] = log["results"]
    assert {"next", "previous", "results"} <= set(log)
    assert row["id"] == str(delivery.pk) and row["type"] == "referral.decided"
    assert (row["status_code"], row["attempts"], row["state"]) == (200, 1, "delivered")
    assert row["delivered_at"] is not None and "next_attempt_at" in row

    with django_capture_on_commit_callbacks(execute=True):
        again = admin_api.post(f"{URL}{webhook.pk}/deliveries/{delivery.pk}/redeliver/")

    assert again.status_code == 202
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    ids = [r["body"] for r in receiver.requests]
    assert len(ids) == 2 and ids[0] == ids[1]  # the same event, the same id: receivers drop the repeat
    assert AuditEvent.objects.filter(action="webhook.redeliver").exists()


def test_the_webhook_list_takes_a_fixed_number_of_queries(admin_api, make_webhook, receiver):
    make_webhook(receiver.url)
    admin_api.get(URL)
    with CaptureQueriesContext(connection) as one:
        admin_api.get(URL)
    for _ in range(5):
        make_webhook(receiver.url)
    with CaptureQueriesContext(connection) as six:
        assert len(admin_api.get(URL).json()["results"]) == 6

    # token, its last use, the user, the membership; then the page of webhooks
    assert len(six) == len(one) <= 6


def test_the_delivery_log_takes_a_fixed_number_of_queries(admin_api, make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)
    webhook_event_emit(organisation_id=webhook.organisation_id, type="referral.decided", data={})
    admin_api.get(f"{URL}{webhook.pk}/deliveries/")
    with CaptureQueriesContext(connection) as one:
        admin_api.get(f"{URL}{webhook.pk}/deliveries/")
    for _ in range(5):
        webhook_event_emit(organisation_id=webhook.organisation_id, type="referral.decided", data={})
    with CaptureQueriesContext(connection) as six:
        assert len(admin_api.get(f"{URL}{webhook.pk}/deliveries/").json()["results"]) == 6

    assert len(six) == len(one)


def test_webhook_create_service_refuses_other_roles(ngo_member, receiver):
    from portal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        webhook_create(by=ngo_member, url=receiver.url, events=["referral.decided"])
