"""SPEC §15 in the browser: a reviewer applies a template (its statement filled with the account)
and, with "Decide and claim next", lands on the next referral of the queue; a lead decides
twenty near-identical notices at once with one template from the work list."""

from referrals.models import Referral
from referrals.review.services.routing import referral_route_batch
from tests.referrals.review_factories import claimed, received
from tests.referrals.workbench.decision_templates import make_template


def test_a_reviewer_applies_a_template_and_moves_on_to_the_next_referral(
    page, live_server, sign_in, routing_table, lead, reviewer, ngo_member
):
    template = make_template(lead)
    current = claimed(reviewer, ngo_member, accounts=("recruiter_one",))
    following = received(ngo_member, accounts=("recruiter_two",))
    referral_route_batch(seqs=[following.seq])

    sign_in(page, reviewer)
    page.goto(f"{live_server.url}/referrals/{current.reference}/")
    page.get_by_label("Template").select_option(str(template.pk))
    statement = page.get_by_label("Statement of reasons")
    assert statement.input_value().startswith("The account recruiter_one on x recruits")
    assert page.get_by_label("Outcome").input_value() == "account_suspended"
    assert not page.get_by_role("button", name="Fill in from the template").is_visible()
    statement.fill(statement.input_value() + " Reviewed by hand.")
    page.get_by_role("button", name="Decide and claim next").click()

    page.wait_for_url(f"{live_server.url}/referrals/{following.reference}/")
    assert page.get_by_text(f"You claimed {following.reference}").is_visible()
    decision = Referral.objects.get(pk=current.pk).decision
    assert decision.statement_of_reasons.endswith("Reviewed by hand.")
    assert Referral.objects.get(pk=following.pk).assignee == reviewer


def test_a_lead_decides_twenty_notices_at_once_with_one_template(
    page, live_server, sign_in, routing_table, lead, ngo_member
):
    template = make_template(lead)
    notices = [received(ngo_member, accounts=(f"amplifier_{n}",)) for n in range(20)]
    referral_route_batch(seqs=[r.seq for r in notices])
    queue = Referral.objects.get(pk=notices[0].pk).queue

    sign_in(page, lead)
    page.goto(f"{live_server.url}/queues/{queue.slug}/")
    for box in page.locator("input[type=checkbox][name=referrals]").all():
        box.check()
    page.get_by_role("button", name="Decide selected…").click()

    page.wait_for_url(f"{live_server.url}/decisions/bulk/")
    page.get_by_label("Template").select_option(str(template.pk))
    page.get_by_role("button", name="Decide 20 referrals").click()

    page.get_by_role("heading", name="Referrals decided at once").wait_for()
    assert page.get_by_text("20 referrals decided.").is_visible()
    for n, notice in enumerate(notices):
        statement = Referral.objects.get(pk=notice.pk).decision.statement_of_reasons
        assert statement.startswith(f"The account amplifier_{n} on x recruits")
