"""Playwright against the system Chromium and a live server (marker `browser`)."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.utils import timezone

from portal.accounts.roles import requires_mfa
from tests.conftest import chromium_path
from tests.factories import enrol_totp, has_totp

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, transactional_db):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def totp_code(user, offset: int = 0) -> str:
    from allauth.mfa import app_settings

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    counter = int(timezone.now().timestamp()) // app_settings.TOTP_PERIOD + offset
    return format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))


def _wait_out_the_period_end(margin: float = 3.0) -> None:
    """A code typed in the last seconds of its 30-second period may arrive in the next one,
    where the server (no tolerance) refuses it: wait for a fresh period instead."""
    from allauth.mfa import app_settings

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < margin:
        time.sleep(left + 0.1)


@pytest.fixture
def sign_in(live_server):
    """Sign a user in through the real login form (and the TOTP step for MFA roles)."""

    def do(page, user, password: str = PASSWORD):
        if requires_mfa(user) and not has_totp(user):
            enrol_totp(user)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        if requires_mfa(user):
            _wait_out_the_period_end()
            page.get_by_label("Code").fill(totp_code(user))
            page.get_by_role("button", name="Sign In").click()
            # Signed in only once the second-factor page is left behind.
            page.wait_for_url(lambda url: "/accounts/2fa/" not in url)
        page.wait_for_url(f"{live_server.url}/**")
        return page

    return do
