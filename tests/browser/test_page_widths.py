"""Pages keep their shape on a desktop (1,366 px) and a phone (390 px): no sideways scrolling,
the removal order's details stay readable, and the reviewer's decision form is near the top."""

import pytest

from referrals.intake.services.evidence import evidence_inspect_all
from tests.referrals.evidence_files import png_bytes, upload
from tests.referrals.review_factories import claimed, routed

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
LONG_URL = "https://example.org/" + "a-very-long-path-segment-without-spaces-" * 6 + "?ref=" + "x" * 80
ALL_GROUNDS = ["incitement", "solicitation_to_commit", "solicitation_to_participate", "instruction", "threat"]


def overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def screenshot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


@WIDTHS
def test_the_reviewer_reaches_the_decision_form_of_a_removal_order_without_scrolling_far(
    browser, live_server, sign_in, routing_table, liaison, reviewer, viewport, tmp_path
):
    order = claimed(
        reviewer,
        liaison,
        "removal_order",
        accounts=("attack_caller",),
        legal_grounds=ALL_GROUNDS,
        issuing_authority="Northbridge Counter-Terrorism Prosecutor's Office, Serious Crime Division",
        explanation="The video calls on viewers to attack a named public event this weekend. " * 4,
    )
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    try:
        sign_in(page, reviewer)
        page.goto(f"{live_server.url}/referrals/{order.reference}/")
        screenshot(page, tmp_path, f"removal-order-reviewer-{viewport['width']}")
        form = page.get_by_role("form", name="Decide")
        assert form.is_visible()
        top = form.bounding_box()["y"]
        grounds = page.locator("dd", has_text="Incites the commission of terrorist offences")
        value_width = grounds.bounding_box()["width"]
        assert overflow(page) <= 0
        if viewport is DESKTOP:
            assert top < 1600, f"the decision form starts {top:.0f} px down"
            assert value_width > 200, f"the details column is {value_width:.0f} px wide"
        else:
            assert value_width > 150, f"the details column is {value_width:.0f} px wide"
    finally:
        context.close()


@WIDTHS
def test_a_referral_with_long_urls_and_hashes_fits_the_screen(
    browser, live_server, sign_in, ngo_member, reviewer, routing_table, viewport, tmp_path
):
    evidence = evidence_inspect_all([upload("screenshot.png", png_bytes())])
    referral = routed(ngo_member, "notice", evidence=evidence)
    referral.targets.update(url=LONG_URL)
    referral.queue.members.add(reviewer)
    for who in (ngo_member, reviewer):
        context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
        page = context.new_page()
        try:
            sign_in(page, who)
            page.goto(f"{live_server.url}/referrals/{referral.reference}/")
            screenshot(page, tmp_path, f"referral-{who.membership.role}-{viewport['width']}")
            assert page.get_by_text("SHA-256").first.is_visible()
            assert overflow(page) <= 0, f"{who.membership.role}: {overflow(page)} px sideways"
        finally:
            context.close()


@WIDTHS
def test_the_bulk_page_fits_the_screen(browser, live_server, sign_in, ngo_member, viewport, tmp_path):
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    try:
        sign_in(page, ngo_member)
        page.goto(f"{live_server.url}/referrals/bulk/")
        screenshot(page, tmp_path, f"bulk-{viewport['width']}")
        assert page.get_by_text("good_faith_confirmed").first.is_visible()
        assert overflow(page) <= 0, f"{overflow(page)} px sideways"
    finally:
        context.close()


@WIDTHS
def test_the_work_list_fits_the_screen_and_shows_the_time_left(
    browser, live_server, sign_in, liaison, reviewer, routing_table, viewport, tmp_path
):
    order = routed(liaison, "removal_order")
    routing_table["legal-orders"].members.add(reviewer)
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    try:
        sign_in(page, reviewer)
        page.goto(f"{live_server.url}/queues/legal-orders/")
        screenshot(page, tmp_path, f"worklist-{viewport['width']}")
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=order.reference))
        time_left = row.locator("[data-module=countdown]")
        assert time_left.is_visible()
        assert _inside_viewport(page, time_left), f"time left at {time_left.bounding_box()}"
        if viewport is PHONE:
            label = row.get_by_text("Time left")
        else:
            label = page.get_by_role("columnheader", name="Time left")
        assert label.is_visible()
        assert _inside_viewport(page, label)
        assert overflow(page) <= 0, f"{overflow(page)} px sideways"
    finally:
        context.close()


def _inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
