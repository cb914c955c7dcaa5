"""A removal order from filing to "removed within 60 minutes", through both sides' pages."""

import re

from referrals.models import Referral

COUNTDOWN = re.compile(r"^\d+ min \d{2} s left$")


def test_a_removal_order_is_filed_counted_down_removed_and_reported_on_time(
    page, browser, live_server, sign_in, routing_table, liaison, reviewer
):
    routing_table["legal-orders"].members.add(reviewer)

    # The liaison files the order and sees its clock running.
    sign_in(page, liaison)
    page.goto(f"{live_server.url}/referrals/new/")
    page.get_by_label("Kind").select_option("removal_order")
    page.get_by_label("Category").select_option("terrorist_incitement")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Explanation").fill("The video calls on viewers to attack a named public event this weekend.")
    page.get_by_label("Targets").fill("https://x.com/attack_caller/status/5150")
    page.get_by_label("Case number").fill("NB-2026-0042")
    page.get_by_label("Legal basis").fill("Regulation (EU) 2021/784, Article 3")
    page.get_by_label("Issuing authority").fill("Northbridge Counter-Terrorism Prosecutor")
    page.get_by_label("Incites the commission of terrorist offences (Art. 2(7)(a))").check()
    page.get_by_role("button", name="Submit referral").click()
    page.wait_for_url(f"{live_server.url}/referrals/R-*/")

    order = Referral.objects.get()
    assert order.legal_grounds == ["incitement"]
    countdown = page.get_by_role("timer")
    countdown.wait_for()
    page.wait_for_function("() => /\\d+ min \\d{2} s left/.test(document.querySelector('[role=timer]').textContent)")
    assert COUNTDOWN.match(countdown.inner_text())
    assert countdown.get_attribute("data-due") == order.due_at.isoformat()
    assert page.get_by_text("Removal order received at").is_visible()

    # A reviewer, signing in with TOTP in another browser, claims it from the legal-orders
    # queue and removes the content on the legal ground.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="UTC")
    staff = context.new_page()
    staff.set_default_timeout(15_000)
    try:
        sign_in(staff, reviewer)
        staff.goto(f"{live_server.url}/queues/legal-orders/")
        assert staff.get_by_text(order.reference).first.is_visible()
        staff.get_by_role("button", name="Claim next").click()
        staff.wait_for_url(f"{live_server.url}/referrals/{order.reference}/")
        staff.get_by_label("Outcome").select_option("content_removed")
        staff.get_by_label("Illegal content (law)").check()
        staff.get_by_label("Rule or legal provision").fill("Regulation (EU) 2021/784, Article 3")
        staff.get_by_label("Statement of reasons").fill(
            "The video incites attacks on a public event; removed in all Member States on the order."
        )
        staff.get_by_role("button", name="Record decision").click()
        staff.wait_for_url(f"{live_server.url}/referrals/{order.reference}/")
    finally:
        context.close()

    order.refresh_from_db()
    assert order.status == "actioned"
    assert order.decision.action == "content_removed"
    assert order.decision.ground == "legal"
    assert order.decision.on_time is True

    # Back on the liaison's side: the clock has stopped and the page says it was met.
    page.reload()
    assert page.get_by_text("Removed within 60 minutes").first.is_visible()
    assert page.get_by_role("timer").count() == 0
    page.get_by_role("link", name="Feedback to the authority").click()
    page.wait_for_url(f"{live_server.url}/referrals/{order.reference}/feedback/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Feedback on removal order {order.reference}"

    # The desk on the home page lists it among the decided requests.
    page.goto(f"{live_server.url}/")
    desk = page.get_by_role("region", name="Your agency's requests")
    assert desk.get_by_role("link", name=order.reference).is_visible()
    assert desk.get_by_text("Removed within 60 minutes").is_visible()
