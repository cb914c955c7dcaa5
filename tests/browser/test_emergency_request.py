"""An emergency request from the liaison's first question to the data in their hands (SPEC §17):
the liaison answers "Is someone in danger now?" and files; the lead is paged with a banner on
every page, claims the request, delivers a production and decides; the liaison downloads the
file and reads that the hour was met. Screenshots of the guided form, the banner (also at a
phone's width) and the referral page with its production, in English and Arabic, go to
test-results/emergency-request/."""

import re
from pathlib import Path

from referrals.models import Referral
from tests.browser.screenshots import Screenshots

SCREENS = Screenshots("emergency-request")
THREAT = (
    "A user announced he will shoot his former partner at her workplace tomorrow morning and posted a photo of a rifle."
)
PERSONS = "His former partner, a nurse at the Northbridge General Hospital, and her colleagues on the morning shift."
EXPLANATION = "The account posted a dated threat to kill a named person, with a photo of the weapon."
CSV = b"account,ip,seen_at\nthreat_poster,203.0.113.7,2026-03-01T08:14:00Z\n"
STATEMENT = "Subscriber information and IP logs disclosed to prevent the imminent danger to life described."


shoot, in_arabic = SCREENS.shoot, SCREENS.in_arabic


def new_tab(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", timezone_id="UTC")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return context, tab


def test_a_liaison_files_an_emergency_the_paged_lead_delivers_data_and_the_hour_is_met(
    browser, live_server, sign_in, routing_table, liaison, lead
):
    contexts = []
    try:
        # 1. The liaison is asked first which request they need, and answers "someone is in danger".
        context, page = new_tab(browser)
        contexts.append(context)
        sign_in(page, liaison)
        page.goto(f"{live_server.url}/referrals/new/")
        guide = page.get_by_role("region", name="Which request do you need?")
        assert guide.get_by_role("heading", name="Is someone in danger now?").is_visible()
        shoot(page, "1-the-guided-question-en")
        in_arabic(page, liaison, "1-the-guided-question")
        page.get_by_role("link", name="Yes: file an emergency request").click()
        page.wait_for_url(f"{live_server.url}/referrals/new/?kind=emergency_request*")
        assert page.get_by_text("You are filing: Emergency disclosure request").is_visible()
        assert page.get_by_role("region", name="Which request do you need?").count() == 0
        assert page.get_by_label("Kind").input_value() == "emergency_request"
        assert page.get_by_role("textbox", name="Threat", exact=True).is_visible()

        # 2. They file it with the threat, the persons at risk, the data needed and the attestation.
        page.get_by_label("Category").select_option("violent_threat")
        page.get_by_label("Explanation").fill(EXPLANATION)
        page.get_by_label("Targets").fill("https://x.com/threat_poster/status/9001")
        page.get_by_label("Case number").fill("NB-2026-0911")
        page.get_by_label("Legal basis").fill("Code of Criminal Procedure, s. 100 (danger to life)")
        page.get_by_role("textbox", name="Threat", exact=True).fill(THREAT)
        page.get_by_label("Persons at risk").fill(PERSONS)
        page.get_by_label("Subscriber information").check()
        page.get_by_label("IP address logs").check()
        page.get_by_label("I attest that this is an emergency").check()
        shoot(page, "2-the-emergency-form-filled-en")
        page.get_by_role("button", name="Submit referral").click()
        # (The guide's `#referral-form` stays on the address through the redirect, as browsers do.)
        page.wait_for_url(re.compile(rf"^{live_server.url}/referrals/R-[0-9-]+/(#.*)?$"))

        # Routing ran as the filing committed (no broker): the request is in the legal-orders
        # queue, on its 60-minute clock, and the lead has been paged.
        request = Referral.objects.get()
        assert (request.kind, request.status, request.queue.slug) == ("emergency_request", "routed", "legal-orders")
        assert (request.threat_description, request.persons_at_risk) == (THREAT, PERSONS)
        assert sorted(request.requested_data) == ["ip_logs", "subscriber_info"]
        assert request.attestation is True and request.severity == "imminent"
        assert request.paged_at is not None
        assert (request.due_at - request.received_at).total_seconds() == 3600
        assert page.get_by_role("timer").is_visible()
        url = f"{live_server.url}/referrals/{request.reference}/"

        # 3. The lead, in another browser, sees the banner on whatever page they are on.
        context, staff = new_tab(browser)
        contexts.append(context)
        sign_in(staff, lead)
        staff.goto(f"{live_server.url}/")
        banner = staff.locator("[data-paging-banner]")
        assert banner.is_visible()
        assert banner.get_attribute("role") == "alert"
        assert request.reference in banner.inner_text()
        assert "Emergency disclosure request" in banner.inner_text()
        shoot(staff, "3-the-lead-is-paged-en")
        in_arabic(staff, lead, "3-the-lead-is-paged")
        staff.set_viewport_size({"width": 390, "height": 844})
        staff.reload()
        assert staff.locator("[data-paging-banner]").is_visible()
        box = staff.locator("[data-paging-banner]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # readable without scrolling sideways
        shoot(staff, "4-the-banner-on-a-phone-en")
        staff.set_viewport_size({"width": 1280, "height": 900})

        # 4. The banner leads to the request; the lead claims it and the banner is gone.
        staff.locator("[data-paging-banner]").get_by_role("link", name="Open it").click()
        staff.wait_for_url(url)
        assert staff.locator("[data-paging-banner]").count() == 1  # still waiting, still paged
        staff.get_by_role("button", name="Claim", exact=True).click()
        staff.wait_for_url(url)
        request.refresh_from_db()
        assert (request.status, request.assignee_id) == ("in_review", lead.pk)
        assert staff.locator("[data-paging-banner]").count() == 0
        staff.goto(f"{live_server.url}/")
        assert staff.locator("[data-paging-banner]").count() == 0

        # 5. They deliver the responsive data as a production, then decide: data disclosed.
        staff.goto(url)
        productions = staff.get_by_role("region", name="Productions")
        assert productions.get_by_text("No data delivered yet.").is_visible()
        productions.get_by_label("Deliver a file to the agency").set_input_files(
            files=[{"name": "subscriber-info.csv", "mimeType": "text/csv", "buffer": CSV}]
        )
        productions.get_by_role("button", name="Upload").click()
        staff.wait_for_url(f"{url}#productions")
        assert staff.get_by_text("delivered; the agency's liaisons are told it is ready").is_visible()
        assert staff.get_by_role("region", name="Productions").get_by_text("not downloaded yet").is_visible()
        staff.get_by_label("Outcome").select_option("data_disclosed")
        staff.get_by_label("Illegal content (law)").check()
        staff.get_by_label("Rule or legal provision").fill("Emergency disclosure policy, danger to life")
        staff.get_by_label("Statement of reasons").fill(STATEMENT)
        staff.get_by_role("button", name="Record decision").click()
        staff.wait_for_url(url)
        assert staff.get_by_text("Decision recorded").is_visible()
        request = Referral.objects.get(pk=request.pk)
        assert (request.status, request.decision.action, request.decision.on_time) == (
            "actioned",
            "data_disclosed",
            True,
        )

        # 6. The liaison reloads: the production is ready, downloads byte for byte, and the
        # clock has given way to "answered within 60 minutes".
        page.goto(url)
        section = page.get_by_role("region", name="Productions")
        link = section.get_by_role("link", name="subscriber-info.csv")
        assert link.is_visible()
        assert section.get_by_role("button", name="Upload").count() == 0  # the agency only receives
        assert page.get_by_text("Answered within 60 minutes").first.is_visible()
        assert page.get_by_role("timer").count() == 0
        shoot(page, "5-the-production-ready-en")
        in_arabic(page, liaison, "5-the-production-ready")
        with page.expect_download() as download:
            page.get_by_role("region", name="Productions").get_by_role("link", name="subscriber-info.csv").click()
        assert download.value.suggested_filename.endswith(".csv")
        assert Path(download.value.path()).read_bytes() == CSV

        # The lead sees that the agency has it.
        staff.reload()
        assert (
            staff.get_by_role("region", name="Productions").get_by_text("downloaded by the agency 1 time").is_visible()
        )
    finally:
        for context in contexts:
            context.close()
