import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from partners.models import Role
from portal.models import AuditEvent
from tests.browser.conftest import totp_code
from tests.factories import enrol_totp, make_member

PASSWORD = "correct-horse-battery"
MFA_ROLES = [Role.LE_LIAISON, Role.REVIEWER, Role.QUEUE_LEAD, Role.POLICY_STAFF]
EXEMPT = re.compile(r"^/(accounts/(2fa|logout|reauthenticate|confirm-email)|static|healthz|i18n/|jsi18n/)")


def _all_paths() -> list[str]:
    """Every URL pattern of the site, with placeholder values for its arguments."""
    paths = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                full = prefix + route
                full = re.sub(r"<(?:int:)?[a-z_]*pk>|<int:[a-z_]+>", "1", full)
                full = re.sub(r"<uuid:[a-z_]+>", "00000000-0000-0000-0000-000000000000", full)
                full = re.sub(r"<[^>]+>", "x", full)
                full = full.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
                if "(" in full or "?" in full or "[" in full:
                    continue
                paths.append("/" + full)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def _login(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("role", MFA_ROLES)
def test_every_page_redirects_an_unenrolled_mfa_role_to_enrolment(role, agency, platform):
    user = make_member(agency if role == Role.LE_LIAISON else platform, role)
    client = _login(user)
    checked = 0
    for path in _all_paths():
        if EXEMPT.match(path):
            continue
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith("/accounts/2fa/totp/activate/"), path
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", MFA_ROLES)
def test_every_page_sends_an_enrolled_mfa_role_that_has_not_passed_mfa_to_the_mfa_step(role, agency, platform):
    user = make_member(agency if role == Role.LE_LIAISON else platform, role)
    enrol_totp(user)
    client = _login(user)
    for path in _all_paths():
        if EXEMPT.match(path) or path.startswith("/api/"):
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/"), path


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin"])
def test_ngo_roles_are_not_forced_to_enrol(persona, request):
    user = request.getfixturevalue(persona)
    response = _login(user).get("/")
    assert response.status_code == 200


def test_superusers_must_enrol(db):
    from portal.models import User

    admin = User.objects.create_superuser("root@example.test", PASSWORD)
    response = _login(admin).get("/admin/")
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_login_with_totp_passes_mfa_and_reaches_the_home_page(reviewer):
    enrol_totp(reviewer)
    client = Client()
    response = client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302, "not signed in before the second factor"

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(reviewer)})

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_totp_code_is_refused(reviewer):
    enrol_totp(reviewer)
    client = Client()
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_recovery_codes_work_once_each(reviewer):
    enrol_totp(reviewer)
    codes = RecoveryCodes.activate(reviewer).get_unused_codes()
    for attempt, expected_ok in [(codes[0], True), (codes[0], False), (codes[1], True)]:
        client = Client()
        client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
        client.post("/accounts/2fa/authenticate/", {"code": attempt})
        assert (client.get("/").status_code == 200) is expected_ok


def test_activating_totp_passes_mfa_for_the_session(reviewer):
    client = Client()
    client.post("/accounts/login/", {"login": reviewer.email, "password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from django.utils import timezone

    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reviewer, type="totp").exists()
    assert client.get("/").status_code == 200


def test_adding_a_factor_is_audited(reviewer, rf):
    from allauth.mfa import signals

    authenticator = enrol_totp(reviewer).instance
    signals.authenticator_added.send(sender=Authenticator, request=None, user=reviewer, authenticator=authenticator)
    assert AuditEvent.objects.filter(action="mfa.add", actor=reviewer).exists()


def test_an_mfa_change_ends_the_accounts_other_sessions(reviewer, client_for):
    other_session = client_for(reviewer)
    assert other_session.get("/").status_code == 200
    from allauth.mfa import signals

    signals.authenticator_removed.send(
        sender=Authenticator, request=None, user=reviewer, authenticator=Authenticator.objects.get(user=reviewer)
    )
    assert other_session.get("/").status_code == 302
