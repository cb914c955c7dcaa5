"""An NGO member files a notice with two targets and a screenshot, then follows it."""

from playwright.sync_api import expect

from referrals.models import Referral
from tests.referrals.evidence_files import png_bytes


def test_ngo_member_files_a_notice_with_two_targets_and_a_screenshot(page, live_server, sign_in, ngo_member, tmp_path):
    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(png_bytes(32, 24))
    sign_in(page, ngo_member)

    page.goto(f"{live_server.url}/referrals/new/")
    # Only the notice's fields show: the law-enforcement ones are hidden by the form's script
    # (a module that may run after the page's load event: wait for it).
    expect(page.get_by_label("Legal basis")).to_be_hidden()
    page.get_by_label("Category").select_option("terrorist_recruitment")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Explanation").fill("The account recruits for a proscribed group and links to its channel.")
    page.get_by_label("Targets").fill("https://x.com/recruiter_demo/status/42\ntelegram:recruiter_channel")
    page.get_by_label("I confirm this notice is accurate and made in good faith").check()
    page.get_by_label("Evidence").set_input_files(str(screenshot))
    page.get_by_role("button", name="Submit referral").click()

    page.wait_for_url(f"{live_server.url}/referrals/R-*/")
    referral = Referral.objects.get()
    assert page.get_by_role("heading", level=1).inner_text().startswith(referral.reference)
    assert page.get_by_text("recruiter_channel").is_visible()
    assert page.get_by_role("link", name="screenshot.png").is_visible()
    assert [t.account for t in referral.targets.all()] == ["recruiter_demo", "recruiter_channel"]
    assert referral.evidence.get().content_type == "image/png"

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name=referral.reference).click()
    page.wait_for_url(f"{live_server.url}/referrals/{referral.reference}/")
    assert page.get_by_role("heading", name="Timeline").is_visible()
