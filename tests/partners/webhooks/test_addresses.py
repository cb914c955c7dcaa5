"""SSRF: only https to public addresses, unless allow-listed; checked on save and on delivery."""

import socket

import pytest

from partners.models import Webhook, WebhookDelivery
from partners.webhooks import delivery as delivery_module
from partners.webhooks.addresses import UnsafeURL, check
from partners.webhooks.delivery import delivery_send
from partners.webhooks.services import webhook_create, webhook_event_emit
from portal.errors import DomainError

PUBLIC = "93.184.215.14"


def _resolving_to(monkeypatch, *addresses):
    """Make every host name resolve to `addresses` (the outside world, mocked)."""

    def fake(host, port, *args, **kwargs):
        infos = []
        for a in addresses:
            family = socket.AF_INET6 if ":" in a else socket.AF_INET
            sockaddr = (a, port, 0, 0) if family == socket.AF_INET6 else (a, port)
            infos.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://10.255.255.255/hook",
        "https://172.16.0.1/hook",
        "https://172.31.255.254/hook",
        "https://192.168.1.10/hook",
        "https://127.0.0.2/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[::ffff:169.254.169.254]/hook",
        "https://[2002:a00:1::]/hook",  # 6to4 around 10.0.0.1
        "https://[64:ff9b::a00:1]/hook",  # NAT64 around 10.0.0.1
        "https://0.0.0.0/hook",
        "https://[::]/hook",
        "https://224.0.0.1/hook",
        "https://100.64.0.1/hook",
        "https://240.0.0.1/hook",
        "https://2130706433/hook",  # 127.0.0.1 as a number
        "https://0x7f.1/hook",
    ],
)
def test_literal_non_public_addresses_are_refused(url):
    with pytest.raises(UnsafeURL):
        check(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # http only for allow-listed hosts
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "gopher://example.org/",
        "https://user:pass@example.org/hook",
        "https://user@example.org/hook",
        "https://example.org@10.0.0.1/hook",
        "https:///hook",
        "https://example.org:0/",
        "https://example.org:99999/",
        "https://exa mple.org/",
        "https://exämple.org/",
        "//example.org/hook",
    ],
)
def test_malformed_or_non_https_urls_are_refused(url, monkeypatch):
    _resolving_to(monkeypatch, PUBLIC)
    with pytest.raises(UnsafeURL):
        check(url)


def test_a_public_https_url_is_accepted_and_keeps_its_host_for_tls(monkeypatch):
    _resolving_to(monkeypatch, PUBLIC)

    target = check("https://hooks.example.org:8443/in?x=1")

    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.example.org", 8443, "/in?x=1")
    assert target.address == PUBLIC
    assert target.host_header == "hooks.example.org:8443"


@pytest.mark.parametrize("private", ["10.1.2.3", "192.168.0.7", "127.0.0.1", "169.254.169.254", "fe80::1", "::1"])
def test_a_host_name_resolving_to_a_private_address_is_refused(monkeypatch, private):
    _resolving_to(monkeypatch, private)
    with pytest.raises(UnsafeURL):
        check("https://innocent.example.org/hook")


def test_a_host_name_is_refused_when_any_of_its_addresses_is_private(monkeypatch):
    _resolving_to(monkeypatch, PUBLIC, "10.0.0.1")
    with pytest.raises(UnsafeURL):
        check("https://mixed.example.org/hook")


def test_a_host_name_that_does_not_resolve_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(UnsafeURL):
        check("https://nowhere.example.org/hook")


def test_an_allow_listed_host_may_use_http_and_a_loopback_address(settings):
    settings.PORTAL_WEBHOOK_ALLOW_HOSTS = frozenset({"127.0.0.1"})
    assert check("http://127.0.0.1:8000/hook").address == "127.0.0.1"


def test_loopback_is_refused_once_it_is_not_allow_listed(settings):
    settings.PORTAL_WEBHOOK_ALLOW_HOSTS = frozenset()
    with pytest.raises(UnsafeURL):
        check("https://127.0.0.1:8000/hook")
    with pytest.raises(UnsafeURL):
        check("http://127.0.0.1:8000/hook")


def test_saving_a_private_url_is_a_field_error_and_stores_nothing(ngo_admin, monkeypatch):
    _resolving_to(monkeypatch, "192.168.1.1")

    with pytest.raises(DomainError) as refused:
        webhook_create(by=ngo_admin, url="https://router.example.org/", events=["referral.decided"])

    assert refused.value.field == "url"
    assert not Webhook.objects.exists()


def test_a_name_rebound_to_a_private_address_after_saving_is_refused_at_delivery(ngo_admin, monkeypatch):
    _resolving_to(monkeypatch, PUBLIC)
    webhook, _secret = webhook_create(by=ngo_admin, url="https://rebind.example.org/hook", events=["referral.decided"])
    connections = []
    monkeypatch.setattr(delivery_module, "post", lambda *a, **k: connections.append(a) or 200)
    webhook_event_emit(organisation_id=webhook.organisation_id, type="referral.decided", data={})
    delivery = WebhookDelivery.objects.get()
    _resolving_to(monkeypatch, "169.254.169.254")

    assert delivery_send(delivery_id=delivery.pk) == WebhookDelivery.State.PENDING

    delivery.refresh_from_db()
    assert connections == []  # nothing was sent
    assert delivery.attempts == 1
    assert delivery.status_code is None
    assert "Refused" in delivery.last_error


def test_delivery_connects_to_the_address_it_checked(ngo_admin, monkeypatch):
    """DNS rebinding: the address checked is the one connected to, not a second lookup."""
    _resolving_to(monkeypatch, PUBLIC)
    webhook, _secret = webhook_create(by=ngo_admin, url="https://pinned.example.org/hook", events=["referral.decided"])
    webhook_event_emit(organisation_id=webhook.organisation_id, type="referral.decided", data={})
    delivery = WebhookDelivery.objects.get()
    lookups = []

    def fake_create_connection(address, timeout=None, *args, **kwargs):
        lookups.append(address)
        raise ConnectionRefusedError("test: not really connecting")

    monkeypatch.setattr(socket, "create_connection", fake_create_connection)

    delivery_send(delivery_id=delivery.pk)

    assert lookups == [(PUBLIC, 443)]
