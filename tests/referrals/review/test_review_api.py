"""Review endpoints (SPEC §9): request-info, release, decision, statement of reasons, subjects."""

import pytest

from referrals.models import Referral, Status, Subject
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db

DECISION = {
    "action": "account_suspended",
    "ground": "terms",
    "policy": "Violent extremism policy 3.1",
    "statement_of_reasons": "The account repeatedly posts recruitment material for a proscribed group.",
    "territorial_scope": [],
}


def test_the_assignee_decides_and_the_response_carries_the_decision(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member, accounts=("hyper",))

    response = api_for(reviewer).post(f"/api/v1/referrals/{referral.id}/decision/", DECISION, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "actioned"
    assert body["decision"]["action"] == "account_suspended"
    assert Subject.objects.get(account="hyper").status == "suspended"


def test_a_bad_decision_gets_an_error_per_field_and_stores_nothing(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)
    bad = {**DECISION, "statement_of_reasons": "short", "territorial_scope": ["Germany"], "action": "ban"}

    response = api_for(reviewer).post(f"/api/v1/referrals/{referral.id}/decision/", bad, format="json")

    assert response.status_code == 400
    assert {"statement_of_reasons", "territorial_scope", "action"} <= set(response.json())
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW


def test_the_removal_order_reason_is_reported_on_its_field(api_for, reviewer, liaison):
    order = claimed(reviewer, liaison, "removal_order")

    response = api_for(reviewer).post(
        f"/api/v1/referrals/{order.id}/decision/",
        {**DECISION, "action": "unable_to_comply", "ground": "legal"},
        format="json",
    )

    assert response.status_code == 400
    assert "non_compliance_reason" in response.json()


def test_deciding_twice_is_a_conflict(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)
    client = api_for(reviewer)
    client.post(f"/api/v1/referrals/{referral.id}/decision/", DECISION, format="json")

    response = client.post(f"/api/v1/referrals/{referral.id}/decision/", DECISION, format="json")

    assert response.status_code == 409


def test_the_decision_endpoint_refuses_anyone_but_the_assignee_or_a_lead(
    api_for, reviewer, lead, policy, other_ngo_member, platform
):
    from partners.models import Role
    from tests.factories import make_member

    colleague = make_member(platform, Role.REVIEWER)
    referral = claimed(reviewer, other_ngo_member)
    referral.queue.members.add(colleague)
    url = f"/api/v1/referrals/{referral.id}/decision/"

    assert api_for(colleague).post(url, DECISION, format="json").status_code == 403
    assert api_for(policy).post(url, DECISION, format="json").status_code == 403
    assert api_for(other_ngo_member).post(url, DECISION, format="json").status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW
    assert api_for(lead).post(url, DECISION, format="json").status_code == 200


def test_request_info_pauses_and_the_submitter_sees_the_question(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    response = api_for(reviewer).post(
        f"/api/v1/referrals/{referral.id}/request-info/", {"message": "Which post do you mean?"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "needs_info"
    events = api_for(other_ngo_member).get(f"/api/v1/referrals/{referral.id}/events/").json()
    asked = next(e for e in events if e["type"] == "info_requested")
    assert asked["message"] == "Which post do you mean?"
    assert asked["actor"] == "Platform reviewer"


def test_request_info_needs_a_message(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    response = api_for(reviewer).post(f"/api/v1/referrals/{referral.id}/request-info/", {}, format="json")

    assert response.status_code == 400
    assert "message" in response.json()


def test_release_returns_it_to_the_queue(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    response = api_for(reviewer).post(f"/api/v1/referrals/{referral.id}/release/")

    assert response.status_code == 200
    assert response.json()["status"] == "routed"
    assert response.json()["assignee"] is None


def test_releasing_an_unclaimed_referral_is_a_conflict(api_for, lead, other_ngo_member):
    referral = routed(other_ngo_member)

    assert api_for(lead).post(f"/api/v1/referrals/{referral.id}/release/").status_code == 409


def test_the_statement_of_reasons_follows_the_transparency_database(api_for, reviewer, ngo_member):
    referral = claimed(reviewer, ngo_member, category="propaganda", language="de")
    api_for(reviewer).post(
        f"/api/v1/referrals/{referral.id}/decision/",
        {**DECISION, "action": "content_removed", "ground": "legal", "territorial_scope": ["DE", "AT"]},
        format="json",
    )

    body = api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/statement-of-reasons/").json()

    assert body["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert body["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert body["decision_account"] is None
    assert body["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    assert body["category_specification"] == ["KEYWORD_ILLEGAL_ORGANIZATIONS"]
    assert body["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert body["automated_detection"] == "No"
    assert body["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert body["territorial_scope"] == ["DE", "AT"]
    assert body["content_language"] == "DE"
    assert body["puid"] == referral.reference
    assert body["decision_facts"] == DECISION["statement_of_reasons"]
    assert body["illegal_content_legal_ground"] == DECISION["policy"]


def test_a_suspension_is_an_account_decision_on_terms(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member, category="hateful_conduct")
    api_for(reviewer).post(f"/api/v1/referrals/{referral.id}/decision/", DECISION, format="json")

    body = api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/statement-of-reasons/").json()

    assert body["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert body["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert body["incompatible_content_ground"] == DECISION["policy"]
    assert body["source_type"] == "SOURCE_ARTICLE_16"
    assert body["category_specification"] == ["KEYWORD_HATE_SPEECH"]


def test_there_is_no_statement_before_a_decision(api_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    assert api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/statement-of-reasons/").status_code == 404


def test_a_subject_shows_its_status_referrals_and_linked_subjects(api_for, reviewer, ngo_member, other_ngo_member):
    first = routed(ngo_member, accounts=("hyper", "amp"))
    second = routed(other_ngo_member, accounts=("hyper",))
    subject = Subject.objects.get(account="hyper")

    body = api_for(reviewer).get(f"/api/v1/subjects/{subject.id}/").json()

    assert body["status"] == "active"
    assert {r["id"] for r in body["referrals"]} == {str(first.id), str(second.id)}
    assert [s["account"] for s in body["linked"]] == ["amp"]
