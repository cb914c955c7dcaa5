import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign, ContentItem


def test_a_campaign_from_invitation_to_an_approved_item_on_the_calendar(
    page, browser, live_server, sign_in, policy, ngo, ngo_member
):
    today = timezone.localdate()

    # Policy staff (signing in with TOTP) create a campaign and invite the NGO as lead.
    sign_in(page, policy)
    page.goto(f"{live_server.url}/campaigns/")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Title").fill("Voices of Return")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Channels").fill("instagram, youtube")
    page.get_by_label("Propaganda of a terrorist organisation").check()
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(f"{live_server.url}/campaigns/voices-of-return/")
    page.get_by_label("Organisation").select_option(label=ngo.name)
    page.get_by_label("Role").select_option("lead")
    page.get_by_role("button", name="Invite", exact=True).click()
    # The click posts and redirects: wait for the page that says so.
    expect(page.get_by_text(f"{ngo.name} invited as lead.")).to_be_visible()

    # Its member, in another browser, accepts, drafts and submits an item.
    member_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", timezone_id="UTC")
    member = member_context.new_page()
    member.set_default_timeout(15_000)
    try:
        sign_in(member, ngo_member)
        member.goto(f"{live_server.url}/campaigns/")
        member.get_by_role("button", name="Accept the invitation to Voices of Return").click()
        member.wait_for_url(f"{live_server.url}/campaigns/voices-of-return/")
        member.get_by_role("link", name="New content item").click()
        member.get_by_label("Title").fill("Amal's story")
        member.get_by_label("Body").fill("Three minutes on how an online brotherhood became a cage.")
        member.get_by_label("Channel").fill("youtube")
        member.get_by_role("textbox", name="Language").fill("en")  # not the header's language switcher
        member.get_by_label("Planned for").fill(today.isoformat())
        member.get_by_role("button", name="Submit for review").click()
        member.wait_for_url(f"{live_server.url}/campaigns/voices-of-return/content/**")
        assert member.locator("#item-status").inner_text() == "In review"
    finally:
        member_context.close()

    # Policy staff approve it, and it shows on the content calendar.
    item = ContentItem.objects.get()
    page.goto(f"{live_server.url}/campaigns/voices-of-return/content/{item.pk}/")
    page.get_by_role("button", name="Approve").click()
    assert page.locator("#item-status").inner_text() == "Approved"
    page.goto(f"{live_server.url}/campaigns/calendar/")
    day = page.locator(f".day:has(time[datetime='{today.isoformat()}'])")
    assert day.get_by_role("link", name="Amal's story").is_visible()
    assert day.get_by_text("Approved").is_visible()
    assert Campaign.objects.get().partners.get().status == "accepted"
