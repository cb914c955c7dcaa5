"""A reversal reaches the statements of reasons (SPEC §22) and the removal order's feedback to
the issuing authority (SPEC §16)."""

import pytest

from referrals.models import StatementSubmission
from referrals.redress.services import appeal_decide
from referrals.review.services.statements import statements_enrol
from tests.referrals.redress.redress_factories import REMOVAL, STATEMENT, appealed, complained, suspended
from tests.referrals.review_factories import decided

pytestmark = pytest.mark.django_db


def statement_puids(api) -> list[str]:
    response = api.get("/api/v1/statements-of-reasons/")
    assert response.status_code == 200
    return [s["puid"] for s in response.json()["statements"]]


def test_a_reversed_restriction_s_statement_is_withdrawn_from_the_export(api_for, ngo_member, lead, reviewer):
    kept = suspended(lead, ngo_member, accounts=("kept",))
    reversed_ = suspended(lead, ngo_member, accounts=("hyper",))
    api = api_for(reviewer)
    assert statement_puids(api) == [kept.reference, reversed_.reference]
    assert api.get(f"/api/v1/referrals/{reversed_.id}/statement-of-reasons/").status_code == 200

    appeal_decide(by=reviewer, appeal=appealed(reversed_, ngo_member), outcome="reversed", statement=STATEMENT)

    assert statement_puids(api) == [kept.reference]
    response = api.get(f"/api/v1/referrals/{reversed_.id}/statement-of-reasons/")
    assert response.status_code == 404
    assert "reversed on appeal" in response.json()["detail"]


def test_an_upheld_restriction_keeps_its_statement(api_for, ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)

    appeal_decide(by=reviewer, appeal=complained(referral, reviewer), outcome="upheld", statement=STATEMENT)

    assert statement_puids(api_for(reviewer)) == [referral.reference]


def test_a_statement_waiting_to_be_sent_is_never_sent_once_reversed(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)
    assert statements_enrol() == 1
    assert StatementSubmission.objects.get().state == StatementSubmission.State.PENDING

    appeal_decide(by=reviewer, appeal=appealed(referral, ngo_member), outcome="reversed", statement=STATEMENT)

    assert not StatementSubmission.objects.exists()
    assert statements_enrol() == 0


def test_a_sent_statement_stays_recorded_as_sent(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)
    statements_enrol()
    StatementSubmission.objects.update(state=StatementSubmission.State.SENT, database_id="tdb-1")

    appeal_decide(by=reviewer, appeal=appealed(referral, ngo_member), outcome="reversed", statement=STATEMENT)

    assert StatementSubmission.objects.get().database_id == "tdb-1"


# --- The removal order's feedback -------------------------------------------------------------------


@pytest.fixture
def removal(liaison, lead):
    return decided(lead, liaison, "removal_order", accounts=("hyper",), decision=REMOVAL)


def test_a_reversed_removal_is_reported_on_the_order_s_feedback(client_for, api_for, removal, liaison, reviewer):
    page = client_for(liaison).get(f"/referrals/{removal.reference}/feedback/").content.decode()
    assert api_for(liaison).get(f"/api/v1/referrals/{removal.id}/feedback/").json()["reversal"] is None
    assert "Reversed on review" not in page

    appeal_decide(by=reviewer, appeal=complained(removal, reviewer), outcome="reversed", statement=STATEMENT)

    page = client_for(liaison).get(f"/referrals/{removal.reference}/feedback/").content.decode()
    body = api_for(liaison).get(f"/api/v1/referrals/{removal.id}/feedback/").json()
    assert "Reversed on review" in page and "the content is reinstated" in page and STATEMENT in page
    assert body["reversal"]["after"] == "complaint"
    assert body["reversal"]["statement"] == STATEMENT
    assert body["reversal"]["reversed_at"]
    assert reviewer.email not in page


def test_the_authority_s_own_appeal_of_a_refusal_is_not_a_reversed_removal(api_for, liaison, lead, reviewer):
    refused = decided(
        lead,
        liaison,
        "removal_order",
        accounts=("other",),
        decision={
            "action": "unable_to_comply",
            "ground": "legal",
            "policy": "Regulation (EU) 2021/784, Article 3(7)",
            "statement_of_reasons": "The order does not name the content precisely enough to act on it.",
            "non_compliance_reason": "insufficient_information",
        },
    )

    appeal_decide(by=reviewer, appeal=appealed(refused, liaison), outcome="reversed", statement=STATEMENT)

    refused.refresh_from_db()
    assert refused.status == "routed"  # taken again; no feedback until it is decided again
    assert api_for(liaison).get(f"/api/v1/referrals/{refused.id}/feedback/").status_code == 404
