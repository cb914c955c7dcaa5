"""An incident from its declaration to its after-action report (SPEC §18): a queue lead declares
it through the form and its confirmation; a partner files a notice using one of its keywords,
which routing sends to the incident's queue, and the lead's live counts refresh; the lead posts
a bulletin, which the partner reads in the banner on their home page and on the incident's page
(its title, summary and bulletins, nothing of what routing matches); the lead closes it, reads
the report with the referral counted, and the partner's banner is gone. Screenshots of the form,
the live page, the partner's banner and incident page (English and Arabic, the banner also at
a phone's width) and the report go to test-results/incident/."""

import re

from django.core import mail
from playwright.sync_api import expect

from referrals.models import Incident, Referral
from tests.browser.screenshots import Screenshots
from tests.referrals.factories import referral_data

SCREENS = Screenshots("incident")
TITLE = "Harbour mosque attack, 3 March"
SUMMARY = (
    "A gunman attacked the harbour mosque during Friday prayers and streamed it live. "
    "The recording and his statement are being re-uploaded across platforms."
)
KEYWORD = "Tidewater manifesto"
URL = "https://x.com/tidewater_gunman/status/7001"
EXPLANATION = (
    "The account posts excerpts of the Tidewater Manifesto with a link to the attack's recording "
    "and calls on followers to repeat it."
)
BULLETIN = (
    "Report re-uploads of the attack video and links to it, one referral per account.\n"
    "Do not download or share the recording yourselves: the URL of each post is enough."
)
HEADLINE = BULLETIN.splitlines()[0]


shoot, in_arabic = SCREENS.shoot, SCREENS.in_arabic


def new_tab(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", timezone_id="UTC")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return context, tab


def test_a_lead_declares_an_incident_partners_follow_its_bulletin_and_the_report_counts_the_surge(
    browser, live_server, sign_in, routing_table, api_for, lead, ngo_member
):
    contexts = []
    try:
        # 1. The lead declares the incident from /incidents/, through the form and its confirmation.
        context, staff = new_tab(browser)
        contexts.append(context)
        sign_in(staff, lead)
        # The live counts refresh on a 15-second timer: the page's clock is the test's to move.
        staff.clock.install()
        staff.goto(f"{live_server.url}/incidents/")
        assert staff.get_by_text("No incident has been declared.").is_visible()
        staff.get_by_role("link", name="Declare an incident").click()
        staff.wait_for_url(f"{live_server.url}/incidents/new/")
        in_arabic(staff, lead, "1-the-declare-form")
        staff.get_by_label("Title").fill(TITLE)
        staff.get_by_label("Summary").fill(SUMMARY)
        staff.get_by_label("Level 1: a live or imminent attack with content spreading").check()
        staff.get_by_label("Keywords").fill(KEYWORD)
        staff.get_by_label("URLs").fill(URL)
        shoot(staff, "1-the-declare-form-en")
        staff.get_by_role("button", name="Continue").click()
        assert staff.get_by_role("heading", name="Declaring changes routing at once").is_visible()
        assert not Incident.objects.exists()  # nothing changes before the confirmation
        shoot(staff, "2-the-confirmation-en")
        staff.get_by_role("button", name="Yes, declare the incident").click()
        incident = Incident.objects.get()
        staff.wait_for_url(f"{live_server.url}/incidents/{incident.slug}/")
        assert (incident.status, incident.level, incident.keywords, incident.urls) == ("active", 1, [KEYWORD], [URL])
        assert incident.queue.slug == f"incident-{incident.slug}"
        assert staff.get_by_text("Incident declared.").is_visible()

        # 2. The live page: nothing matched yet, the queue named.
        counts = staff.get_by_role("region", name="Live counts")
        expect(counts.locator("[data-count=referrals]")).to_have_text("0")
        expect(counts.locator("[data-count=decided]")).to_have_text("0")
        routing = staff.get_by_role("region", name="What routing matches")
        assert routing.get_by_role("link", name=incident.queue.name).is_visible()
        assert routing.get_by_text(KEYWORD).is_visible()
        assert staff.get_by_text("No referral has matched the incident yet.").is_visible()

        # 3. A partner's script files a notice whose explanation uses the keyword: routing (run
        # as the filing commits) sends it to the incident's queue with the level's points.
        response = api_for(ngo_member).post(
            "/api/v1/referrals/",
            referral_data(explanation=EXPLANATION, targets=[{"url": "https://x.com/echo_account/status/42"}]),
            format="json",
        )
        assert response.status_code == 201, response.json()
        referral = Referral.objects.get()
        assert referral.reference == response.json()["reference"]
        assert (referral.status, referral.queue_id, referral.incident_id) == ("routed", incident.queue_id, incident.pk)
        assert any(reason.startswith(f"Matches incident {TITLE}") for reason in referral.routing_reasons)

        # 4. The lead's counts refresh by themselves once the timer comes round.
        staff.clock.fast_forward(16_000)
        expect(counts.locator("[data-count=referrals]")).to_have_text("1")
        expect(counts.get_by_role("status")).to_contain_text("1 referrals, 0 decided")
        staff.reload()  # the newest referrals are listed as the page opens
        table = staff.get_by_role("region", name="Newest referrals")
        assert table.get_by_role("link", name=referral.reference).is_visible()
        shoot(staff, "3-the-live-page-en")
        in_arabic(staff, lead, "3-the-live-page")

        # 5. The lead posts a bulletin; every member of the verified partner is sent it.
        staff.get_by_label("New bulletin").fill(BULLETIN)
        staff.get_by_role("button", name="Send the bulletin to partners").click()
        staff.wait_for_url(f"{live_server.url}/incidents/{incident.slug}/#bulletins")
        assert staff.get_by_text("Bulletin sent to 1 person in the verified partner organisations.").is_visible()
        bulletins = staff.get_by_role("region", name="Bulletins")
        assert bulletins.get_by_text(HEADLINE).is_visible()
        assert bulletins.get_by_text("sent to 1 person").is_visible()
        assert [m.to for m in mail.outbox if TITLE in m.subject] == [[ngo_member.email]]

        # 6. The partner, in their own browser, sees the banner on their home page.
        context, page = new_tab(browser)
        contexts.append(context)
        sign_in(page, ngo_member)
        page.goto(f"{live_server.url}/")
        banner = page.get_by_role("complementary", name="Active incidents")
        assert banner.is_visible()
        assert TITLE in banner.inner_text()
        assert HEADLINE in banner.inner_text()
        assert "Do not download" not in banner.inner_text()  # the first line only
        shoot(page, "4-the-partner-banner-en")
        in_arabic(page, ngo_member, "4-the-partner-banner")
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        box = page.locator("[data-incident-banner]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # readable without scrolling sideways
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        shoot(page, "5-the-banner-on-a-phone-en")
        page.set_viewport_size({"width": 1280, "height": 900})

        # 7. The banner leads to the incident's page: what happened and the bulletin, and
        # nothing of what routing matches nor of the counts.
        page.locator("[data-incident-banner]").get_by_role("link", name=re.compile("^Read the bulletins")).click()
        page.wait_for_url(f"{live_server.url}/incidents/{incident.slug}/")
        assert page.get_by_role("heading", name=TITLE, level=1).is_visible()
        assert page.get_by_text(SUMMARY).is_visible()
        assert page.get_by_role("region", name="Bulletins").get_by_text(HEADLINE).is_visible()
        main = page.locator("main").inner_text()
        for hidden in (KEYWORD, "tidewater_gunman", "Live counts", "What routing matches", referral.reference):
            assert hidden not in main, hidden
        assert page.get_by_label("New bulletin").count() == 0
        assert page.get_by_role("link", name="Close the incident…").count() == 0
        assert page.locator("[data-incident-banner]").get_by_role("link").count() == 0  # no link to itself
        shoot(page, "6-the-partner-incident-page-en")
        in_arabic(page, ngo_member, "6-the-partner-incident-page")

        # 8. The lead closes the incident, after a confirmation, and reads the report.
        staff.goto(f"{live_server.url}/incidents/{incident.slug}/")
        staff.get_by_role("link", name="Close the incident…").click()
        staff.wait_for_url(f"{live_server.url}/incidents/{incident.slug}/close/")
        assert staff.get_by_text("1 referral matched so far, 0 decided").is_visible()
        shoot(staff, "7-close-confirmation-en")
        staff.get_by_role("button", name="Yes, close the incident").click()
        staff.wait_for_url(f"{live_server.url}/incidents/{incident.slug}/")
        incident.refresh_from_db()
        assert (incident.status, incident.closed_by) == ("closed", lead)
        assert staff.get_by_text("Incident closed.").is_visible()
        report = staff.get_by_role("region", name="After-action report")
        totals = report.locator(".report-totals").inner_text()
        assert re.search(r"\b1\s+referrals matched", totals), totals
        assert staff.get_by_role("link", name="Close the incident…").count() == 0
        assert staff.get_by_label("New bulletin").count() == 0
        staff.goto(f"{live_server.url}/incidents/{incident.slug}/report/")
        hours = staff.get_by_role("table", name="Referrals received, decided and actioned in each hour (UTC)")
        assert hours.get_by_role("row").count() >= 2  # the header and the hour of the surge
        shoot(staff, "8-the-report-en")
        in_arabic(staff, lead, "8-the-report")

        # 9. The partner's banner is gone, and so is the incident's page for them.
        page.goto(f"{live_server.url}/")
        assert page.locator("[data-incident-banner]").count() == 0
        response = page.goto(f"{live_server.url}/incidents/{incident.slug}/")
        assert response.status == 404
    finally:
        for context in contexts:
            context.close()
