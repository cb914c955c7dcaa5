"""A partner files a notice; a reviewer claims it from its queue and suspends the account with
a statement of reasons; the partner sees the outcome and the statement."""

from referrals.models import Queue, Referral, Subject
from tests.referrals.factories import referral_data

STATEMENT = "The account posts recruitment videos for a proscribed organisation and links to its channel."


def test_reviewer_claims_a_notice_and_suspends_the_account(
    browser, page, live_server, sign_in, api_for, routing_table, ngo_member, reviewer
):
    # The partner files through the API; without a broker routing runs as the filing commits.
    response = api_for(ngo_member).post(
        "/api/v1/referrals/",
        referral_data(targets=[{"url": "https://x.com/recruiter_demo/status/7"}]),
        format="json",
    )
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.status == "routed"
    Queue.objects.get(pk=referral.queue_id).members.add(reviewer)

    sign_in(page, reviewer)
    page.goto(f"{live_server.url}/queues/")
    page.get_by_role("link", name=referral.queue.name).click()
    page.wait_for_url(f"{live_server.url}/queues/{referral.queue.slug}/")  # loaded, not only begun
    assert page.get_by_role("link", name=referral.reference).is_visible()
    page.get_by_role("button", name="Claim next").click()

    page.wait_for_url(f"{live_server.url}/referrals/{referral.reference}/")
    assert page.get_by_text("You claimed").is_visible()
    assert page.get_by_role("heading", name="Why it was routed here").is_visible()
    page.get_by_label("Outcome").select_option("account_suspended")
    page.get_by_label("Incompatible with the terms of service").check()
    page.get_by_label("Rule or legal provision").fill("Dangerous organisations policy 2.1")
    page.get_by_label("Statement of reasons").fill(STATEMENT)
    page.get_by_role("button", name="Record decision").click()

    page.wait_for_url(f"{live_server.url}/referrals/{referral.reference}/")
    assert page.get_by_text("Decision recorded").is_visible()
    referral.refresh_from_db()
    assert referral.status == "actioned"
    assert Subject.objects.get(account="recruiter_demo").status == "suspended"

    partner = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", timezone_id="UTC")
    try:
        partner_page = partner.new_page()
        partner_page.set_default_timeout(15_000)
        sign_in(partner_page, ngo_member)
        partner_page.goto(f"{live_server.url}/referrals/{referral.reference}/")
        decision = partner_page.get_by_role("region", name="Decision")
        assert decision.get_by_text("Account suspended").is_visible()
        assert decision.get_by_text(STATEMENT).is_visible()
        assert reviewer.email not in partner_page.content()
    finally:
        partner.close()
