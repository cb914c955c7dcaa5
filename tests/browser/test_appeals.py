"""A partner appeals a "no violation"; a queue lead (not the reviewer who decided) reverses it;
a reviewer decides the referral again; the partner reads the whole story on the referral page
(SPEC §16). Screenshots of the appeal form and the appeal's page, in English and Arabic, go to
test-results/appeals/."""

from pathlib import Path

from django.conf import settings

from referrals.models import Appeal, Referral
from referrals.review.services.claims import referral_claim
from referrals.review.services.decisions import referral_decide
from tests.referrals.redress.redress_factories import NO_ACTION
from tests.referrals.review_factories import routed

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "appeals"
REASON = "The account reports on the group's attacks as a journalist and condemns them in every post."
ANSWER = "Read again with the appeal: the posts quote the group's call to attack, which the policy forbids."
FRESH = "The posts repeat the group's call to attack word for word; they are removed under the policy."


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def in_arabic(page, user, name: str) -> None:
    """The page as it is, read in Arabic (the person's own setting), then back to English."""
    user.language = "ar"
    user.save(update_fields=["language"])
    page.reload()
    assert page.locator("html").get_attribute("dir") == "rtl"
    shoot(page, f"{name}-ar")
    user.language = ""
    user.save(update_fields=["language"])
    page.reload()


def test_a_partner_appeals_a_no_violation_and_reads_the_whole_story(
    browser, live_server, sign_in, routing_table, ngo_member, reviewer, lead
):
    referral = routed(ngo_member, accounts=("reporter_account",))
    referral.queue.members.add(reviewer)
    referral_decide(by=reviewer, referral=referral_claim(by=reviewer, referral=referral), **NO_ACTION)
    referral.refresh_from_db()
    assert referral.status == "no_violation"
    url = f"{live_server.url}/referrals/{referral.reference}/"

    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="UTC")
        for _ in range(3)
    ]
    try:
        # 1. The partner appeals from the referral page; a reason too short comes back with its error.
        page, desk, staff = (context.new_page() for context in contexts)
        for tab in (page, desk, staff):
            tab.set_default_timeout(15_000)
        sign_in(page, ngo_member)
        page.goto(url)
        section = page.get_by_role("region", name="Appeal")
        assert section.get_by_text("you can appeal it once").is_visible()
        section.get_by_label("Why the decision should change").fill("Wrong.")
        shoot(page, "1-referral-with-appeal-form-en")
        in_arabic(page, ngo_member, "1-referral-with-appeal-form")
        page.get_by_role("region", name="Appeal").get_by_label("Why the decision should change").fill("Wrong.")
        page.get_by_role("button", name="Appeal this decision").click()
        page.wait_for_url(f"{url}appeal/")
        assert page.locator(".error-summary").is_visible()
        shoot(page, "2-appeal-form-with-errors-en")
        page.get_by_label("Why the decision should change").fill("Wrong.")
        page.get_by_role("button", name="Appeal this decision").click()
        page.wait_for_url(f"{url}appeal/")
        in_arabic(page, ngo_member, "2-appeal-form-with-errors")
        page.get_by_label("Why the decision should change").fill(REASON)
        page.get_by_role("button", name="Appeal this decision").click()
        page.wait_for_url(f"{url}#appeal-h")
        assert page.get_by_text("Appeal sent").is_visible()
        appeal = Appeal.objects.get(referral=referral)
        assert (appeal.status, appeal.reason, appeal.filed_by) == ("open", REASON, ngo_member)

        # 2. The reviewer who decided may not decide the appeal; a queue lead reverses it.
        # (Each person in their own browser: a second factor's code is taken once.)
        sign_in(desk, reviewer)
        desk.goto(f"{live_server.url}/appeals/{appeal.pk}/")
        assert desk.get_by_text("you may not decide the appeal").is_visible()
        sign_in(staff, lead)
        staff.goto(f"{live_server.url}/queues/")
        staff.get_by_role("link", name="Appeals").first.click()
        staff.wait_for_url(f"{live_server.url}/appeals/")
        staff.get_by_role("link", name=referral.reference).click()
        staff.wait_for_url(f"{live_server.url}/appeals/{appeal.pk}/")
        assert staff.get_by_text(REASON).is_visible()
        shoot(staff, "3-appeal-page-en")
        in_arabic(staff, lead, "3-appeal-page")
        staff.get_by_label("Reverse the decision").check()
        staff.get_by_label("Statement").fill(ANSWER)
        staff.get_by_role("button", name="Decide").click()
        assert staff.get_by_text("The referral goes back to its queue").is_visible()
        staff.get_by_role("button", name="Yes, reverse it").click()
        staff.wait_for_url(f"{live_server.url}/appeals/{appeal.pk}/")
        assert staff.get_by_text("the decision is reversed").first.is_visible()
        shoot(staff, "4-appeal-decided-en")
        referral.refresh_from_db()
        assert (referral.status, referral.assignee_id) == ("routed", None)

        # 3. A reviewer claims it again, at the top of its queue, and decides afresh.
        desk.goto(f"{live_server.url}/queues/{referral.queue.slug}/")
        desk.get_by_role("button", name="Claim next").click()
        desk.wait_for_url(url)
        desk.get_by_label("Outcome").select_option("content_removed")
        desk.get_by_label("Incompatible with the terms of service").check()
        desk.get_by_label("Rule or legal provision").fill("Violent extremist organisations policy 2.1")
        desk.get_by_label("Statement of reasons").fill(FRESH)
        desk.get_by_role("button", name="Record decision").click()
        desk.wait_for_url(url)
        assert desk.get_by_text("Decision recorded").is_visible()
        referral = Referral.objects.get(pk=referral.pk)
        assert (referral.status, referral.decision.action) == ("actioned", "content_removed")

        # 4. The partner reads the whole story, and nobody's name.
        page.goto(url)
        decision = page.get_by_role("region", name="Decision")
        assert decision.get_by_text("Content removed").is_visible()
        assert decision.get_by_text(FRESH).is_visible()
        section = page.get_by_role("region", name="Appeal")
        assert section.get_by_text("Decision reversed").is_visible()
        assert section.get_by_text(REASON).is_visible()
        assert section.get_by_text(ANSWER).is_visible()
        assert section.get_by_role("button", name="Appeal this decision").count() == 0  # appealed once
        timeline = page.get_by_role("region", name="Timeline").inner_text()
        for line in (
            "The decision was appealed.",
            "The appeal was decided: the decision is reversed.",
            "Decision reversed on appeal; the referral is back in review.",
        ):
            assert line in timeline, line
        assert timeline.index("back in review") < timeline.rindex("Decided")
        html = page.content()
        for name in (reviewer.email, lead.email):
            assert name not in html
        shoot(page, "5-the-whole-story-en")
        in_arabic(page, ngo_member, "5-the-whole-story")
    finally:
        for context in contexts:
            context.close()
