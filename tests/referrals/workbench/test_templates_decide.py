"""Deciding with a template, in the API and on the page, and asking with one (SPEC §15)."""

import pytest

from portal.models import AuditEvent
from referrals.models import Referral, Status
from tests.referrals.review_factories import claimed
from tests.referrals.workbench.decision_templates import make_question, make_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(lead):
    return make_template(lead)


def _decide(api, referral, body):
    return api.post(f"/api/v1/referrals/{referral.id}/decision/", body, format="json")


def test_a_template_alone_decides_with_its_statement_filled_for_the_referral(api_for, reviewer, ngo_member, template):
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))
    assert referral.status == Status.IN_REVIEW

    response = _decide(api_for(reviewer), referral, {"template": str(template.pk)})

    assert response.status_code == 200, response.json()
    referral.refresh_from_db()
    decision = referral.decision
    assert referral.status == Status.ACTIONED
    assert (decision.action, decision.ground, decision.policy) == ("account_suspended", "terms", template.policy)
    assert decision.statement_of_reasons == (
        f"The account recruiter on x recruits for a proscribed organisation ({referral.reference}), "
        f"against {template.policy}."
    )
    assert AuditEvent.objects.filter(action="referral.decide", object_id=str(referral.pk)).exists()


def test_explicit_fields_win_over_the_template_in_the_api(api_for, reviewer, ngo_member, template):
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))
    body = {
        "template": str(template.pk),
        "action": "content_removed",
        "statement_of_reasons": "Written by hand for {account}, not from the template.",
    }

    response = _decide(api_for(reviewer), referral, body)

    assert response.status_code == 200, response.json()
    decision = Referral.objects.get(pk=referral.pk).decision
    assert decision.action == "content_removed"
    assert decision.statement_of_reasons == "Written by hand for recruiter, not from the template."
    assert decision.policy == template.policy


@pytest.mark.parametrize(
    ("which", "field"),
    [("unknown", "template"), ("question", "template"), ("other_kind", "template"), ("none", "action")],
)
def test_a_template_that_cannot_decide_is_refused_and_nothing_is_decided(
    api_for, lead, reviewer, ngo_member, which, field
):
    templates = {
        "unknown": "00000000-0000-0000-0000-000000000000",
        "question": str(make_question(lead).pk),
        "other_kind": str(make_template(lead, name="Orders", kinds=["removal_order"]).pk),
    }
    referral = claimed(reviewer, ngo_member)
    body = {"template": templates[which]} if which in templates else {"ground": "terms"}

    response = _decide(api_for(reviewer), referral, body)

    assert response.status_code == 400
    assert field in response.json()
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW


def test_the_page_decides_with_a_template_and_empty_fields_without_the_script(
    client_for, reviewer, ngo_member, template
):
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))

    response = client_for(reviewer).post(
        f"/referrals/{referral.reference}/decide/",
        {"template": str(template.pk), "action": "", "policy": "", "statement_of_reasons": "", "territorial_scope": ""},
    )

    assert response.status_code == 302, response.context["form"].errors
    decision = Referral.objects.get(pk=referral.pk).decision
    assert decision.action == "account_suspended"
    assert decision.statement_of_reasons.startswith("The account recruiter on x recruits")


def test_fill_in_from_the_template_shows_the_form_filled_and_decides_nothing(
    client_for, reviewer, ngo_member, template
):
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))

    response = client_for(reviewer).post(
        f"/referrals/{referral.reference}/decide/", {"template": str(template.pk), "apply_template": "1"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The account recruiter on x recruits" in page  # the statement, editable in its textarea
    assert '<option value="account_suspended" selected>' in page
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW


def test_a_statement_written_on_the_page_wins_over_the_templates(client_for, reviewer, ngo_member, template):
    referral = claimed(reviewer, ngo_member)

    client_for(reviewer).post(
        f"/referrals/{referral.reference}/decide/",
        {
            "template": str(template.pk),
            "action": "account_suspended",
            "ground": "terms",
            "policy": template.policy,
            "statement_of_reasons": "Edited after choosing the template, before recording.",
            "territorial_scope": "",
        },
    )

    decision = Referral.objects.get(pk=referral.pk).decision
    assert decision.statement_of_reasons == "Edited after choosing the template, before recording."


def test_a_template_without_a_provision_still_needs_one(client_for, lead, reviewer, ngo_member):
    template = make_template(lead, name="No provision", policy="", statement_of_reasons="A statement long enough.")
    referral = claimed(reviewer, ngo_member)

    response = client_for(reviewer).post(f"/referrals/{referral.reference}/decide/", {"template": str(template.pk)})

    assert response.status_code == 200
    assert "policy" in response.context["form"].errors
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW


def test_a_question_from_a_template_is_filled_for_the_referral(client_for, lead, reviewer, ngo_member):
    question = make_question(lead)
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))

    response = client_for(reviewer).post(
        f"/referrals/{referral.reference}/request-info/", {"template": str(question.pk), "message": ""}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.NEEDS_INFO
    question_asked = referral.events.get(type="info_requested")
    text = f"Which post of recruiter do you mean in {referral.reference}? Please give its link."
    assert question_asked.message == text


def test_the_api_asks_with_a_template_and_refuses_a_decision_template(api_for, lead, reviewer, ngo_member):
    question, decision = make_question(lead), make_template(lead)
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))
    api = api_for(reviewer)
    url = f"/api/v1/referrals/{referral.id}/request-info/"

    refused = api.post(url, {"template": str(decision.pk)}, format="json")
    assert refused.status_code == 400 and "template" in refused.json()
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW

    response = api.post(url, {"template": str(question.pk)}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "needs_info"
    asked = Referral.objects.get(pk=referral.pk).events.get(type="info_requested")
    assert asked.message.startswith("Which post of recruiter do you mean")
