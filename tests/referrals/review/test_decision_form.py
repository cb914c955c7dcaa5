"""The decision form (SPEC §4.6, §20): nothing chosen for the reviewer on a legal kind, only the
outcomes that can answer the kind, and the fields of other outcomes ignored."""

import json
import re

import pytest

from referrals.models import Status
from referrals.review.forms import DecisionForm
from tests.referrals.review_factories import claimed

pytestmark = pytest.mark.django_db

DECISION = {
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784, Article 3",
    "statement_of_reasons": "The video incites attacks on a public event; removed on the order.",
    "territorial_scope": "",
}


def _chosen(page: str, name: str) -> list[str]:
    """The options of the select `name` marked selected, or the inputs `name` checked."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    if select:
        return re.findall(r'<option value="([^"]*)"[^>]* selected', select.group(0))
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in tags if " checked" in tag]


@pytest.mark.parametrize("kind", ["removal_order", "preservation_request", "emergency_request"])
def test_nothing_is_chosen_on_a_legal_kind(client_for, reviewer, liaison, kind):
    referral = claimed(reviewer, liaison, kind)

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()
    form = DecisionForm(referral=referral)

    assert form["action"].value() in (None, "")
    assert form["ground"].value() is None
    assert 'name="action"' in page and 'name="ground"' in page
    assert not any(_chosen(page, "action"))  # at most the blank "Choose an outcome"
    assert _chosen(page, "ground") == []


def test_a_notice_starts_on_the_terms_of_service_with_no_outcome_chosen(reviewer, ngo_member):
    form = DecisionForm(referral=claimed(reviewer, ngo_member))

    assert form["ground"].value() == "terms"
    assert form.fields["action"].choices[0] == ("", "Choose an outcome")


@pytest.mark.parametrize(
    ("kind", "offered", "not_offered"),
    [
        ("notice", set(), {"data_preserved", "data_disclosed"}),
        ("removal_order", set(), {"data_preserved", "data_disclosed"}),
        ("preservation_request", {"data_preserved"}, {"data_disclosed"}),
        ("emergency_request", {"data_disclosed"}, {"data_preserved"}),
    ],
)
def test_only_the_outcomes_that_answer_the_kind_are_offered(reviewer, ngo_member, liaison, kind, offered, not_offered):
    referral = claimed(reviewer, ngo_member if kind == "notice" else liaison, kind)
    values = {value for value, _ in DecisionForm(referral=referral).fields["action"].choices}

    assert offered <= values
    assert not values & not_offered
    assert {"content_removed", "no_action", "unable_to_comply"} <= values


def test_the_page_tells_the_script_which_fields_go_with_which_outcome(client_for, reviewer, liaison):
    referral = claimed(reviewer, liaison, "removal_order")

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()

    assert 'data-module="decision-form"' in page
    fields = DecisionForm(referral=referral).fields_by_action
    assert fields["non_compliance_reason"] == ["unable_to_comply"]
    assert "restriction_end" in json.dumps(fields) and "account_suspended" in fields["restriction_end"]
    assert "content_removed" not in fields["restriction_end"]


def test_fields_of_another_outcome_are_ignored(client_for, reviewer, liaison):
    referral = claimed(reviewer, liaison, "removal_order")

    # The reviewer first chose a suspension with an end date and a reason, then changed to a removal.
    response = client_for(reviewer).post(
        f"/referrals/{referral.reference}/decide/",
        {
            **DECISION,
            "action": "content_removed",
            "restriction_end": "2099-01-01",
            "non_compliance_reason": "manifest_error",
            "apply_to_subject": "on",
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    referral.refresh_from_db()
    assert referral.status == Status.ACTIONED
    assert referral.decision.restriction_end is None
    assert referral.decision.non_compliance_reason == ""


def test_an_outcome_must_be_chosen(client_for, reviewer, liaison):
    referral = claimed(reviewer, liaison, "removal_order")

    response = client_for(reviewer).post(f"/referrals/{referral.reference}/decide/", {**DECISION, "action": ""})

    assert response.status_code == 200
    assert "action" in response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.IN_REVIEW
