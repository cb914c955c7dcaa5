"""The review page on a desktop (1,440 × 900) lays the details, the evidence and the decision side
by side, so the decision form starts within the first screen; on a phone (390 px) it is one
column that never scrolls sideways (SPEC §15). In English and in Arabic (right to left)."""

import pytest

from referrals.intake.services.evidence import evidence_inspect_all
from referrals.models import DecisionTemplate
from tests.referrals.evidence_files import png_bytes, upload
from tests.referrals.review_factories import claimed

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
EXPLANATION = (
    "The account posts recruitment videos for a proscribed organisation, links to its channel and "
    "asks viewers to travel to join it. "
) * 3


def _referral(reviewer, ngo_member):
    evidence = evidence_inspect_all([upload("screenshot.png", png_bytes()), upload("second.png", png_bytes())])
    referral = claimed(
        reviewer,
        ngo_member,
        accounts=("recruiter_one", "recruiter_two", "recruiter_three"),
        explanation=EXPLANATION,
        evidence=evidence,
    )
    # A template on offer puts its choice at the top of the form, as reviewers will have it.
    DecisionTemplate.objects.create(
        name="Recruitment",
        action="account_suspended",
        ground="terms",
        policy="Dangerous organisations 2.1",
        statement_of_reasons="The account {account} recruits for a proscribed organisation.",
    )
    return referral


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return box


def _overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_on_a_desktop_details_evidence_and_decision_sit_side_by_side(
    browser, live_server, sign_in, routing_table, ngo_member, reviewer, language, tmp_path
):
    referral = _referral(reviewer, ngo_member)
    reviewer.language = language
    reviewer.save(update_fields=["language"])
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, reviewer)
        page.goto(f"{live_server.url}/referrals/{referral.reference}/")
        page.screenshot(path=str(tmp_path / f"review-1440-{language}.png"), full_page=True)

        form = _box(page, "form[aria-labelledby=decide-h]")
        first_field = _box(page, "form[aria-labelledby=decide-h] :is(select, input:not([type=hidden]), textarea)")
        details = _box(page, ".referral-details")
        evidence = _box(page, ".referral-evidence")

        assert first_field["y"] + first_field["height"] <= DESKTOP["height"], (
            f"the decision form starts {form['y']:.0f} px down; its first field ends "
            f"{first_field['y'] + first_field['height']:.0f} px down"
        )
        # Three columns, their tops level, in reading order (mirrored in Arabic).
        assert abs(details["y"] - evidence["y"]) < 5 and abs(details["y"] - _box(page, ".referral-aside")["y"]) < 5
        xs = [details["x"], evidence["x"], form["x"]]
        assert xs == (sorted(xs) if language == "en" else sorted(xs, reverse=True)), xs
        assert min(details["width"], evidence["width"], form["width"]) > 300
        assert _overflow(page) <= 0
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_on_a_phone_the_review_page_is_one_column_without_sideways_scrolling(
    browser, live_server, sign_in, routing_table, ngo_member, reviewer, language, tmp_path
):
    referral = _referral(reviewer, ngo_member)
    reviewer.language = language
    reviewer.save(update_fields=["language"])
    context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, reviewer)
        page.goto(f"{live_server.url}/referrals/{referral.reference}/")
        page.screenshot(path=str(tmp_path / f"review-390-{language}.png"), full_page=True)

        details = _box(page, ".referral-details")
        evidence = _box(page, ".referral-evidence")
        form = _box(page, "form[aria-labelledby=decide-h]")
        assert details["y"] < evidence["y"] < form["y"], "one column: details, evidence, then the decision"
        assert _overflow(page) <= 0, f"{_overflow(page)} px sideways"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440px", "390px"])
def test_the_filtered_selectable_work_list_fits_the_screen(
    browser, live_server, sign_in, routing_table, ngo_member, lead, viewport, tmp_path
):
    referral = _referral(lead, ngo_member)
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, lead)
        page.goto(f"{live_server.url}/queues/{referral.queue.slug}/?tab=in_review&language=en")
        select_all = page.get_by_role("checkbox", name="Select every referral on this page")
        select_all.wait_for()  # shown by its script
        page.screenshot(path=str(tmp_path / f"worklist-{viewport['width']}.png"), full_page=True)
        select_all.check()
        assert page.get_by_role("checkbox", name=f"Select {referral.reference}").is_checked()
        assert page.get_by_text("1 referral selected").is_visible()
        assert page.get_by_text("recruiter_one").is_visible()
        assert _overflow(page) <= 0, f"{_overflow(page)} px sideways"
    finally:
        context.close()


def test_a_bad_filter_and_the_open_shortcuts_pass_axe(browser, live_server, sign_in, routing_table, ngo_member, lead):
    from tests.browser.a11y import axe_violations

    referral = _referral(lead, ngo_member)
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, lead)
        page.goto(f"{live_server.url}/queues/{referral.queue.slug}/?tab=in_review&country=UK")
        assert page.title().startswith("Error:")
        summary = page.locator(".error-summary")
        assert summary.get_by_role("link").first.get_attribute("href") == "#id_country"
        assert axe_violations(page) == []

        page.goto(f"{live_server.url}/queues/{referral.queue.slug}/?tab=in_review")
        page.locator("[data-shortcuts-open]:not([hidden])").wait_for()
        page.keyboard.press("?")
        page.get_by_role("dialog", name="Keyboard shortcuts").wait_for()
        assert axe_violations(page) == []
    finally:
        context.close()
