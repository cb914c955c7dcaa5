"""The demo's French- and Arabic-speaking partners file a notice in their own language, read
right to left in Arabic, with times in their own zone (SPEC §20)."""

import re
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import dateformat, translation
from django.utils.translation import gettext

from referrals.models import Referral

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "languages"
PERSONAS = {
    # language, direction, the person's own zone (the browser is elsewhere, in UTC)
    "ar": ("ngo-ar@demo.test", "rtl", "Asia/Amman"),
    "fr": ("ngo-fr@demo.test", "ltr", "Europe/Paris"),
}


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.mark.parametrize("language", sorted(PERSONAS))
def test_a_partner_files_a_notice_and_reads_the_portal_in_their_language(browser, live_server, routing_table, language):
    email, direction, zone = PERSONAS[language]
    call_command("seed_demo", "--force", stdout=StringIO())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The browser asks for the person's language, as theirs would, but sits in UTC: the times
    # shown must follow the person's own setting, not the browser's zone.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language, timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("html").get_attribute("dir") == direction
        page.screenshot(path=SCREENSHOTS / f"{language}-sign-in.png", full_page=True)
        page.locator("input[name=login]").fill(email)
        page.locator("input[name=password]").fill("demo-password")
        page.locator("form.login button[type=submit], form[action*=login] button[type=submit]").first.click()
        page.wait_for_url(f"{live_server.url}/")

        page.goto(f"{live_server.url}/referrals/new/")
        assert page.locator("html").get_attribute("dir") == direction
        assert page.get_by_role("heading", level=1).inner_text() != "File a referral"
        page.locator("select[name=category]").select_option("propaganda")
        page.locator("select[name=severity]").select_option("medium")
        explanation = {
            "fr": "Le compte diffuse la propagande d'un groupe interdit.",
            "ar": "الحساب ينشر دعاية لجماعة محظورة ويروج لها.",
        }
        page.locator("textarea[name=explanation]").fill(explanation[language])
        page.locator("textarea[name=targets]").fill("https://x.com/propaganda_demo/status/7")
        page.locator("input[name=good_faith_confirmed]").check()
        page.screenshot(path=SCREENSHOTS / f"{language}-file-a-notice.png", full_page=True)
        page.locator("form button[type=submit].button").last.click()
        page.wait_for_url(re.compile(r".*/referrals/R-[^/]+/$"))

        referral = Referral.objects.get(submitted_by__email=email, targets__account="propaganda_demo")
        assert page.locator("html").get_attribute("lang") == language
        # The page is in the language: its navigation and the referral's labels.
        nav = page.get_by_role("navigation").first.inner_text()
        assert _in(language, "Referrals") in nav and "Referrals" not in nav
        body = page.locator("main").inner_text()
        with translation.override(language):
            assert str(referral.get_category_display()) in body
        # The time of receipt, in the person's zone (the browser is in UTC).
        received = referral.received_at.astimezone(zoneinfo.ZoneInfo(zone))
        with translation.override(language):
            assert dateformat.format(received, "H:i") in body
        # Latin-script handles keep their order inside right-to-left text.
        handle = page.locator("bdi", has_text="propaganda_demo").first
        assert handle.count() == 1 or page.locator("[dir=auto]", has_text="propaganda_demo").count() >= 1
        page.screenshot(path=SCREENSHOTS / f"{language}-referral.png", full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/referrals/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=SCREENSHOTS / f"{language}-referrals-phone.png", full_page=True)
    finally:
        context.close()
