import time

from django.test import Client

from portal.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from portal.models import AuditEvent

PASSWORD = "correct-horse-battery"


def _age_session(client, **offsets):
    session = client.session
    now = time.time()
    session[SESSION_STARTED] = now - offsets.get("started", 0)
    session[SESSION_SEEN] = now - offsets.get("seen", 0)
    session.save()


def test_a_session_idle_for_over_30_minutes_ends(client_for, ngo_member):
    client = client_for(ngo_member)
    assert client.get("/").status_code == 200
    _age_session(client, seen=31 * 60, started=31 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_a_session_active_within_30_minutes_continues(client_for, ngo_member):
    client = client_for(ngo_member)
    client.get("/")
    _age_session(client, seen=29 * 60, started=2 * 3600)
    assert client.get("/").status_code == 200


def test_a_session_ends_after_12_hours_even_when_active(client_for, ngo_member):
    client = client_for(ngo_member)
    client.get("/")
    _age_session(client, seen=60, started=12 * 3600 + 60)
    assert client.get("/").status_code == 302


def test_failed_logins_are_rate_limited_and_audited(ngo_member):
    client = Client()
    statuses = []
    for _ in range(7):
        response = client.post("/accounts/login/", {"login": ngo_member.email, "password": "wrong-password"})
        statuses.append(response.status_code)
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5
    # After five failures for this address even the right password is refused for a while.
    response = client.post("/accounts/login/", {"login": ngo_member.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert client.get("/").status_code == 302, "still signed out"
    assert b"Too many" in response.content or response.status_code == 429


def test_a_successful_login_is_audited(ngo_member):
    client = Client()
    client.post("/accounts/login/", {"login": ngo_member.email, "password": PASSWORD})
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=ngo_member).exists()


def test_deactivating_a_member_ends_their_sessions(client_for, ngo_member):
    from partners.services import user_deactivate

    client = client_for(ngo_member)
    assert client.get("/").status_code == 200
    user_deactivate(user=ngo_member)
    assert client.get("/").status_code == 302
