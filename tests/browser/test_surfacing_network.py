"""SPEC §14 in the browser: a queue lead opens a hub's network from the hubs page, selects the
accounts that amplify it and suspends them with one decision template, through the bulk
decision page; the network page is photographed in English and in Arabic (right to left)."""

from pathlib import Path

from django.conf import settings

from referrals.models import Referral, Status, Subject
from tests.referrals.review_factories import decided, routed
from tests.referrals.workbench.decision_templates import make_template

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "surfacing"
AMPLIFIERS = ("amplifier_one", "amplifier_two", "amplifier_three")


def _hub_with_amplifiers(lead, ngo_member) -> dict:
    """The hub was named with its amplifiers (and once with a bystander) in referrals already
    decided with no action; each amplifier now has an open referral of its own."""
    decided(lead, ngo_member, accounts=("hub_account", *AMPLIFIERS), decision={"action": "no_action"})
    decided(lead, ngo_member, accounts=("hub_account", *AMPLIFIERS[:2]), decision={"action": "no_action"})
    decided(lead, ngo_member, accounts=("hub_account", "bystander"), decision={"action": "no_action"})
    return {account: routed(ngo_member, accounts=(account,)) for account in AMPLIFIERS}


def test_a_lead_suspends_a_hubs_amplifiers_at_once_from_its_network(
    page, live_server, sign_in, routing_table, lead, ngo_member
):
    template = make_template(lead)
    open_referrals = _hub_with_amplifiers(lead, ngo_member)
    hub = Subject.objects.get(account="hub_account")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    sign_in(page, lead)
    page.goto(f"{live_server.url}/subjects/hubs/")
    page.screenshot(path=SCREENSHOTS / "hubs-en.png", full_page=True)
    page.get_by_role("link", name="hub_account", exact=True).click()
    page.wait_for_url(f"{live_server.url}/subjects/{hub.pk}/network/")
    assert (
        page.locator("svg.network-graph[role=img]")
        .get_attribute("aria-label")
        .startswith("Graph of the network of x · hub_account: 4 linked accounts")
    )
    page.screenshot(path=SCREENSHOTS / "network-en.png", full_page=True)

    for account in AMPLIFIERS:
        page.get_by_label(f"Select x · {account}").check()
    page.get_by_role("button", name="Decide the selected accounts' open referrals…").click()
    page.get_by_role("heading", name="Decide the open referrals of these 3 accounts").wait_for()
    page.get_by_role("button", name="Choose the decision for 3 referrals…").click()

    page.wait_for_url(f"{live_server.url}/decisions/bulk/")
    page.get_by_label("Template").select_option(str(template.pk))
    page.get_by_role("button", name="Decide 3 referrals").click()
    page.get_by_role("heading", name="Referrals decided at once").wait_for()

    assert page.get_by_text("3 referrals decided.").is_visible()
    for account, referral in open_referrals.items():
        assert Referral.objects.get(pk=referral.pk).status == Status.ACTIONED
        assert Subject.objects.get(account=account).status == "suspended"
    assert Subject.objects.get(account="hub_account").status == "active"
    assert Subject.objects.get(account="bystander").status == "active"

    # The network now shows the amplifiers suspended; the same page in Arabic, right to left.
    page.goto(f"{live_server.url}/subjects/{hub.pk}/network/")
    assert page.locator("svg.network-graph rect").count() == len(AMPLIFIERS)
    lead.language = "ar"
    lead.save(update_fields=["language"])
    page.goto(f"{live_server.url}/subjects/{hub.pk}/network/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.screenshot(path=SCREENSHOTS / "network-ar.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SCREENSHOTS / "network-ar-phone.png", full_page=True)
