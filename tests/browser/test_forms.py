"""Forms as a first-time user meets them (SPEC §20): every error at once in a summary that
takes the focus and links to each field, required fields marked for the chosen kind, files
asked for again; the decision form showing only what applies."""

from playwright.sync_api import expect

from referrals.models import Referral
from tests.referrals.evidence_files import png_bytes
from tests.referrals.factories import make_referral
from tests.referrals.review_factories import claimed


def test_a_refused_filing_lists_every_error_at_once_and_keeps_what_was_typed(
    page, live_server, sign_in, ngo_member, tmp_path
):
    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(png_bytes(32, 24))
    sign_in(page, ngo_member)
    page.goto(f"{live_server.url}/referrals/new/")
    assert page.get_by_label("Category").get_attribute("required") is not None
    assert (
        page.get_by_label("I confirm this notice is accurate and made in good faith").get_attribute("aria-required")
        == "true"
    )
    page.get_by_label("Explanation").fill("Too short")
    page.get_by_label("Targets").fill("https://x.com/recruiter_demo/status/42")
    page.get_by_label("Evidence").set_input_files(str(screenshot))
    page.get_by_role("button", name="Submit referral").click()
    page.wait_for_load_state()
    page.screenshot(path=str(tmp_path / "errors.png"), full_page=True)

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    assert summary.is_visible()
    page.wait_for_function("() => document.activeElement.classList.contains('error-summary')")
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    # Category, severity, explanation, good faith, and the file to attach again.
    assert [t.split(":")[0] for t in texts] == [
        "Category",
        "Severity",
        "Explanation",
        "I confirm this notice is accurate and made in good faith",
        "Evidence",
    ], texts
    assert texts[-1] == "Evidence: attach the files again"
    assert page.get_by_text("Attach the files again.").is_visible()
    assert page.get_by_text("screenshot.png").first.is_visible()
    assert page.get_by_label("Targets").input_value() == "https://x.com/recruiter_demo/status/42"

    summary.get_by_role("link", name="Explanation: Write between 20 and 5000 characters; this has 9.").click()
    assert page.evaluate("document.activeElement.id") == "id_explanation"
    assert Referral.objects.count() == 0


def test_the_required_marks_follow_the_kind(page, live_server, sign_in, liaison):
    sign_in(page, liaison)
    page.goto(f"{live_server.url}/referrals/new/")
    issuing = page.get_by_label("Issuing authority")
    expect(issuing).to_be_hidden()
    page.get_by_label("Kind").select_option("removal_order")
    expect(issuing).to_be_visible()
    assert issuing.get_attribute("aria-required") == "true"
    expect(page.locator("label[for=id_issuing_authority] .req")).to_be_visible()
    grounds = page.get_by_role("group", name="Grounds (Regulation (EU) 2021/784, Art. 2(7))")
    expect(grounds.locator("legend .req")).to_be_visible()
    page.get_by_label("Kind").select_option("le_referral")
    expect(issuing).to_be_hidden()
    assert issuing.get_attribute("aria-required") == "false"
    assert page.get_by_label("Case number").get_attribute("aria-required") == "true"


def test_the_decision_form_of_a_removal_order_chooses_nothing_and_shows_what_applies(
    page, live_server, sign_in, liaison, reviewer, routing_table, tmp_path
):
    order = claimed(reviewer, liaison, "removal_order")
    sign_in(page, reviewer)
    page.goto(f"{live_server.url}/referrals/{order.reference}/")
    form = page.get_by_role("form", name="Decide")
    outcome = form.get_by_label("Outcome")
    assert outcome.input_value() == ""
    assert form.get_by_role("radio", checked=True).count() == 0
    assert [o for o in outcome.locator("option").all_inner_texts() if o.startswith("Data")] == []
    restriction = form.get_by_label("Restriction ends")
    reason = form.get_by_label("Reason the platform cannot comply")
    expect(restriction).to_be_hidden()
    expect(reason).to_be_hidden()

    outcome.select_option("account_suspended")
    expect(restriction).to_be_visible()
    expect(reason).to_be_hidden()
    restriction.fill("2099-01-01")
    # The reviewer changes their mind: the end date no longer applies, and is ignored.
    outcome.select_option("unable_to_comply")
    expect(restriction).to_be_hidden()
    expect(reason).to_be_visible()
    page.screenshot(path=str(tmp_path / "decision.png"), full_page=True)
    reason.select_option("manifest_error")
    form.get_by_label("Illegal content (law)").check()
    form.get_by_label("Rule or legal provision").fill("Regulation (EU) 2021/784, Article 3(7)")
    form.get_by_label("Statement of reasons").fill("The order names a URL that does not exist on the platform.")
    form.get_by_role("button", name="Record decision").click()
    page.wait_for_url(f"{live_server.url}/referrals/{order.reference}/")
    order.refresh_from_db()
    assert order.decision.action == "unable_to_comply"
    assert order.decision.non_compliance_reason == "manifest_error"
    assert order.decision.restriction_end is None


def test_withdrawing_asks_for_confirmation_behind_a_danger_button(page, live_server, sign_in, ngo_member, tmp_path):
    referral = make_referral(ngo_member)
    sign_in(page, ngo_member)
    page.goto(f"{live_server.url}/referrals/{referral.reference}/")
    trigger = page.get_by_role("link", name="Withdraw referral…")
    ordinary = page.get_by_role("button", name="Upload")
    colour = "el => getComputedStyle(el).backgroundColor"
    assert trigger.evaluate(colour) == "rgb(185, 28, 28)"
    assert ordinary.evaluate(colour) != trigger.evaluate(colour)

    trigger.click()
    page.wait_for_url(f"{live_server.url}/referrals/{referral.reference}/withdraw/")
    page.screenshot(path=str(tmp_path / "confirm.png"), full_page=True)
    assert page.get_by_role("heading", level=1).inner_text() == f"Withdraw notice {referral.reference}?"
    assert Referral.objects.get(pk=referral.pk).status != "withdrawn"
    page.get_by_label("Reason (optional)").fill("Filed twice by mistake.")
    page.get_by_role("button", name="Yes, withdraw it").click()
    page.wait_for_url(f"{live_server.url}/referrals/{referral.reference}/")
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"
    assert page.get_by_text("Filed twice by mistake.").is_visible()
