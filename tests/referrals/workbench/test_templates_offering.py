"""Templates' placeholders and which templates the forms offer (SPEC §15)."""

import json
import re

import pytest

from referrals.review.forms import DecisionForm, RequestInfoForm
from referrals.review.services.templates import decision_data_resolve, template_fill
from tests.referrals.review_factories import claimed
from tests.referrals.workbench.decision_templates import make_question, make_template

pytestmark = pytest.mark.django_db


def _offered(form) -> list[str]:
    field = form.fields.get("template")
    return [] if field is None else [label for value, label in field.choices if value]


def test_the_placeholders_are_filled_with_the_first_targets_account_and_platform(reviewer, ngo_member):
    referral = claimed(
        reviewer, ngo_member, targets=[{"platform": "x", "account": "first"}, {"platform": "x", "account": "second"}]
    )

    text = template_fill(
        "{account} on {platform}, {reference}, under {policy}.", referral=referral, policy="Policy 2.1"
    )

    assert text == f"first on x, {referral.reference}, under Policy 2.1."


@pytest.mark.parametrize(
    "text",
    ["{unknown} stays", "{0} and {} stay", "{account", "account}", "{{account}}", "100% {", "{ACCOUNT}"],
)
def test_unknown_or_broken_braces_are_left_as_they_are(reviewer, ngo_member, text):
    referral = claimed(reviewer, ngo_member, accounts=("someone",))

    filled = template_fill(text, referral=referral)

    assert filled == text.replace("{account}", "someone")


def test_a_url_only_target_fills_the_account_with_its_url(reviewer, ngo_member):
    referral = claimed(reviewer, ngo_member, targets=[{"url": "https://x.com/someone/status/1"}])
    first = referral.targets.order_by("position").first()

    assert template_fill("{account}", referral=referral) == (first.account or first.url)


def test_explicit_fields_win_over_the_template(lead, reviewer, ngo_member):
    template = make_template(lead)
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))

    data = decision_data_resolve(
        referral=referral, template=template, action="content_removed", statement_of_reasons=""
    )

    assert data["action"] == "content_removed"
    assert data["ground"] == "terms" and data["policy"] == template.policy
    assert data["statement_of_reasons"].startswith("The account recruiter on x recruits")
    assert referral.reference in data["statement_of_reasons"]


def test_the_decision_form_offers_templates_by_kind_and_language(lead, reviewer, ngo_member, liaison):
    make_template(lead, name="Any notice")
    make_template(lead, name="English notices", language="en", kinds=["notice"])
    make_template(lead, name="French notices", language="fr", kinds=["notice"])
    make_template(lead, name="Removal orders", kinds=["removal_order"], action="content_removed", ground="legal")
    make_template(lead, name="Preserved", kinds=["preservation_request"], action="data_preserved", ground="legal")
    make_question(lead, name="A question")
    notice = claimed(reviewer, ngo_member, language="en")
    french = claimed(reviewer, ngo_member, language="fr")
    order = claimed(reviewer, liaison, "removal_order", language="en")

    assert _offered(DecisionForm(referral=notice, user=reviewer)) == ["Any notice", "English notices (English)"]
    assert _offered(DecisionForm(referral=french, user=reviewer)) == ["Any notice", "French notices (French)"]
    assert _offered(DecisionForm(referral=order, user=reviewer)) == ["Any notice", "Removal orders"]


def test_only_request_for_information_templates_are_offered_for_a_question(lead, reviewer, ngo_member):
    make_template(lead, name="A decision")
    make_question(lead, name="Ask for the link")
    make_question(lead, name="Ask in German", language="de")
    referral = claimed(reviewer, ngo_member, language="en")

    assert _offered(RequestInfoForm(referral=referral, user=reviewer)) == ["Ask for the link"]


def test_without_templates_the_forms_offer_no_choice(reviewer, ngo_member):
    referral = claimed(reviewer, ngo_member)

    assert "template" not in DecisionForm(referral=referral, user=reviewer).fields
    assert "template" not in RequestInfoForm(referral=referral, user=reviewer).fields


def test_each_offered_option_carries_what_it_fills_in_for_this_referral(client_for, lead, reviewer, ngo_member):
    template = make_template(lead)
    referral = claimed(reviewer, ngo_member, accounts=("recruiter",))

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()

    assert 'data-module="decision-template"' in page
    option = re.search(rf'<option value="{template.pk}"[^>]*data-fill="([^"]*)"', page)
    assert option, "the template's option carries its values"
    fill = json.loads(option.group(1).replace("&quot;", '"'))
    assert fill["action"] == "account_suspended" and fill["ground"] == "terms"
    assert fill["statement_of_reasons"].startswith("The account recruiter on x recruits")
    assert 'name="next"' in page  # "Decide and claim next"
