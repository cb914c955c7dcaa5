"""The organisation's webhooks page (SPEC §19)."""

from partners.models import Webhook, WebhookDelivery
from partners.webhooks.services import webhook_event_emit
from tests.factories import make_member


def _page(org) -> str:
    return f"/partners/{org.slug}/webhooks/"


def test_the_organisation_page_links_admins_to_their_webhooks(client_for, ngo_admin, ngo_member, ngo):
    assert _page(ngo) in client_for(ngo_admin).get(f"/partners/{ngo.slug}/").content.decode()
    assert _page(ngo) not in client_for(ngo_member).get(f"/partners/{ngo.slug}/").content.decode()


def test_adding_a_webhook_shows_its_secret_once(client_for, ngo_admin, ngo, receiver):
    client = client_for(ngo_admin)

    added = client.post(_page(ngo), {"url": receiver.url, "events": ["referral.decided", "appeal.decided"]})

    webhook = Webhook.objects.get()
    assert added.status_code == 200
    assert webhook.secret in added.content.decode()
    assert webhook.events == ["referral.decided", "appeal.decided"]
    assert webhook.secret not in client.get(_page(ngo)).content.decode()


def test_an_unsafe_url_is_shown_on_the_form(client_for, ngo_admin, ngo):
    answer = client_for(ngo_admin).post(_page(ngo), {"url": "https://169.254.169.254/", "events": ["referral.decided"]})

    assert answer.status_code == 400
    assert "error-summary" in answer.content.decode()
    assert not Webhook.objects.exists()


def test_no_event_chosen_is_shown_on_the_form(client_for, ngo_admin, ngo, receiver):
    answer = client_for(ngo_admin).post(_page(ngo), {"url": receiver.url})

    assert answer.status_code == 400 and not Webhook.objects.exists()


def test_a_member_who_does_not_manage_webhooks_is_refused(client_for, ngo_member, ngo):
    assert client_for(ngo_member).get(_page(ngo)).status_code == 403


def test_a_reviewer_has_no_webhooks_page(client_for, reviewer, platform, ngo):
    assert client_for(reviewer).get(_page(platform)).status_code == 403
    assert client_for(reviewer).get(_page(ngo)).status_code == 404


def test_another_organisations_webhooks_page_is_not_found(client_for, other_ngo, ngo, make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)
    outsider = client_for(make_member(other_ngo, "ngo_admin"))

    assert outsider.get(_page(ngo)).status_code == 404
    assert outsider.get(f"{_page(other_ngo)}{webhook.pk}/").status_code == 404
    assert outsider.post(f"{_page(other_ngo)}{webhook.pk}/delete/").status_code == 404
    assert Webhook.objects.exists()


def test_deleting_asks_for_confirmation_first(client_for, ngo_admin, ngo, make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)
    client = client_for(ngo_admin)

    assert client.get(f"{_page(ngo)}{webhook.pk}/delete/").status_code == 200
    assert Webhook.objects.exists()
    assert client.post(f"{_page(ngo)}{webhook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists()


def test_rotating_asks_for_confirmation_then_shows_the_new_secret(client_for, ngo_admin, ngo, make_webhook, receiver):
    webhook, old = make_webhook(receiver.url)
    client = client_for(ngo_admin)

    assert client.get(f"{_page(ngo)}{webhook.pk}/rotate-secret/").status_code == 200
    webhook.refresh_from_db()
    assert webhook.secret == old
    answer = client.post(f"{_page(ngo)}{webhook.pk}/rotate-secret/")
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret in answer.content.decode()


def test_the_delivery_log_and_send_again(
    client_for, ngo_admin, ngo, make_webhook, receiver, django_capture_on_commit_callbacks
):
    webhook, _ = make_webhook(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_emit(organisation_id=ngo.pk, type="referral.decided", data={})
    delivery = WebhookDelivery.objects.get()
    client = client_for(ngo_admin)

    log = client.get(f"{_page(ngo)}{webhook.pk}/").content.decode()
    assert str(delivery.pk) in log and "200" in log

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"{_page(ngo)}{webhook.pk}/deliveries/{delivery.pk}/redeliver/")

    assert answer.status_code == 302
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and len(receiver.requests) == 2


def test_switching_off_and_on(client_for, ngo_admin, ngo, make_webhook, receiver):
    webhook, _ = make_webhook(receiver.url)
    client = client_for(ngo_admin)

    client.post(f"{_page(ngo)}{webhook.pk}/active/", {"active": "0"})
    webhook.refresh_from_db()
    assert webhook.active is False
    client.post(f"{_page(ngo)}{webhook.pk}/active/", {"active": "1"})
    webhook.refresh_from_db()
    assert webhook.active is True


def test_a_liaison_manages_the_agency_webhooks_page(client_for, liaison, agency):
    assert client_for(liaison).get(_page(agency)).status_code == 200
