"""Authentication events in the audit trail: failed second factors, lockouts by the rate
limits (password and second factor), recovery codes used and regenerated."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client

from portal.models import AuditEvent
from tests.browser.conftest import totp_code
from tests.factories import enrol_totp

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _password_step(user) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    return client


def test_a_wrong_second_factor_code_is_audited(reviewer):
    enrol_totp(reviewer)
    client = _password_step(reviewer)

    client.post("/accounts/2fa/authenticate/", {"code": "000000"})

    event = AuditEvent.objects.get(action="mfa.failed")
    assert event.actor == reviewer
    assert event.data["type"] == "totp"
    assert event.ip == "127.0.0.1"


def test_a_second_factor_locked_out_by_the_rate_limit_is_audited(reviewer):
    enrol_totp(reviewer)
    client = _password_step(reviewer)

    for _ in range(6):  # login_failed allows 5 a key in 5 minutes
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})

    assert b"Too many failed login attempts" in response.content
    assert AuditEvent.objects.filter(action="mfa.failed", actor=reviewer).count() == 5
    event = AuditEvent.objects.get(action="mfa.locked")
    assert event.actor == reviewer


def test_a_password_login_locked_out_by_the_rate_limit_is_audited(ngo_member):
    client = Client()
    for _ in range(6):
        response = client.post("/accounts/login/", {"login": ngo_member.email, "password": "wrong-password"})

    assert b"Too many failed login attempts" in response.content
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 5
    event = AuditEvent.objects.get(action="auth.locked")
    assert event.actor_email == ngo_member.email
    assert event.ip == "127.0.0.1"


def test_a_request_refused_by_a_rate_limit_is_audited(ngo_member, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client = Client()
    client.post("/accounts/login/", {"login": ngo_member.email, "password": "wrong-password"})

    response = client.post("/accounts/login/", {"login": ngo_member.email, "password": "wrong-password"})

    assert response.status_code == 429
    event = AuditEvent.objects.get(action="auth.rate_limited")
    assert event.data["path"] == "/accounts/login/"
    assert event.ip == "127.0.0.1"


def test_signing_in_with_a_recovery_code_is_audited(reviewer):
    enrol_totp(reviewer)
    codes = RecoveryCodes.activate(reviewer).get_unused_codes()
    client = _password_step(reviewer)

    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})

    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="mfa.recovery_code_used")
    assert event.actor == reviewer
    assert event.data["unused"] == len(codes) - 1


def test_a_second_factor_passed_with_totp_is_audited_as_a_use(reviewer):
    enrol_totp(reviewer)
    client = _password_step(reviewer)

    client.post("/accounts/2fa/authenticate/", {"code": totp_code(reviewer)})

    event = AuditEvent.objects.get(action="mfa.used")
    assert (event.actor, event.data["type"]) == (reviewer, "totp")
    assert not AuditEvent.objects.filter(action="mfa.recovery_code_used").exists()


def test_regenerating_recovery_codes_is_audited(reviewer, django_capture_on_commit_callbacks):
    enrol_totp(reviewer)
    RecoveryCodes.activate(reviewer)
    client = _password_step(reviewer)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(reviewer)})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 302, response.content[:300]
    assert "reauthenticate" not in response["Location"]
    assert Authenticator.objects.filter(user=reviewer, type="recovery_codes").count() == 1
    event = AuditEvent.objects.get(action="mfa.recovery_codes_regenerated")
    assert event.actor == reviewer
    assert event.ip == "127.0.0.1"
