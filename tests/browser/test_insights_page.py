"""The queue leads' insights page (SPEC §15, §20) in a browser: no axe violation in English on a
desktop or in Arabic on a phone, with the figures of tests/referrals/workbench/insights_data.py,
its form with errors included; the page never scrolls sideways (the wide tables scroll inside
their own box) and the charts mirror in Arabic."""

import pytest

from tests.browser.a11y import Audit
from tests.referrals.workbench import insights_data as data

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOOKS = {"en-desktop": ("en", DESKTOP, "Error:"), "ar-phone": ("ar", PHONE, "خطأ:")}
PATH = "/queues/insights/?start=2025-03-10&end=2025-03-11"


@pytest.mark.parametrize("look", LOOKS)
def test_the_insights_page_is_accessible_and_fits(
    browser, live_server, sign_in, routing_table, ngo_member, platform, lead, look, tmp_path
):
    language, viewport, prefix = LOOKS[look]
    data.build(ngo_member, platform)
    lead.language = language
    lead.save(update_fields=["language"])
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, lead)
        audit = Audit(page, live_server.url, language=language, error_prefix=prefix)

        audit.visit(PATH)
        page.screenshot(path=str(tmp_path / f"insights-{look}.png"), full_page=True)
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
        direction = "rtl" if language == "ar" else "ltr"
        assert page.locator(f"svg.chart[direction='{direction}']").count() == 2
        audit.visit("/queues/insights/?start=2025-03-11&end=2025-03-10", status=400, state="with errors")

        assert not audit.report(), audit.report()
    finally:
        context.close()
