""" "Decide and claim next" (SPEC §15): the decision form's second button records the decision and
opens the next referral of the same queue, claimed for the reviewer."""

import pytest
from django.contrib.messages import get_messages

from referrals.models import Referral, Status
from tests.referrals.review_factories import DECISION, claimed, routed

pytestmark = pytest.mark.django_db

FORM = {**DECISION, "territorial_scope": ""}


def _decide(client, referral, **extra):
    return client.post(f"/referrals/{referral.reference}/decide/", {**FORM, **extra})


def test_it_records_the_decision_and_opens_the_next_referral_claimed(client_for, reviewer, ngo_member):
    current = claimed(reviewer, ngo_member, accounts=("a",))
    following = routed(ngo_member, accounts=("b",))
    assert following.queue == current.queue and following.assignee is None

    response = _decide(client_for(reviewer), current, next="1")

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{following.reference}/"
    assert Referral.objects.get(pk=current.pk).status == Status.ACTIONED
    following.refresh_from_db()
    assert (following.status, following.assignee) == (Status.IN_REVIEW, reviewer)


def test_with_nothing_left_it_goes_back_to_the_queue_with_a_message(client_for, reviewer, ngo_member):
    current = claimed(reviewer, ngo_member)

    response = _decide(client_for(reviewer), current, next="1")

    assert response.status_code == 302
    assert response["Location"] == f"/queues/{current.queue.slug}/"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"Nothing is waiting in {current.queue.name}." in texts
    assert Referral.objects.get(pk=current.pk).status == Status.ACTIONED


def test_the_first_button_stays_on_the_decided_referral(client_for, reviewer, ngo_member):
    current = claimed(reviewer, ngo_member, accounts=("a",))
    following = routed(ngo_member, accounts=("b",))

    response = _decide(client_for(reviewer), current)

    assert response["Location"] == f"/referrals/{current.reference}/"
    assert Referral.objects.get(pk=following.pk).assignee is None


def test_an_invalid_decision_claims_nothing(client_for, reviewer, ngo_member):
    current = claimed(reviewer, ngo_member, accounts=("a",))
    following = routed(ngo_member, accounts=("b",))

    response = _decide(client_for(reviewer), current, next="1", statement_of_reasons="short")

    assert response.status_code == 200
    assert Referral.objects.get(pk=current.pk).status == Status.IN_REVIEW
    assert Referral.objects.get(pk=following.pk).assignee is None


def test_a_lead_moves_on_in_the_same_queue(client_for, lead, ngo_member, liaison):
    current = claimed(lead, ngo_member, accounts=("a",))
    other_queue = routed(liaison, "removal_order", accounts=("c",))
    following = routed(ngo_member, accounts=("b",))
    assert other_queue.queue != current.queue

    response = _decide(client_for(lead), current, next="1")

    assert response["Location"] == f"/referrals/{following.reference}/"
    assert Referral.objects.get(pk=other_queue.pk).assignee is None


def test_someone_who_may_not_decide_gets_403_and_nothing_is_claimed(client_for, reviewer, policy, ngo_member):
    current = claimed(reviewer, ngo_member, accounts=("a",))
    following = routed(ngo_member, accounts=("b",))

    response = _decide(client_for(policy), current, next="1")

    assert response.status_code == 403
    assert Referral.objects.get(pk=current.pk).status == Status.IN_REVIEW
    assert Referral.objects.get(pk=following.pk).assignee is None
