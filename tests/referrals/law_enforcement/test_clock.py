"""The removal order's 60 minutes: from receipt, paused by a clarification request, on time or late."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest

from referrals.intake.services.filing import referral_reply
from referrals.models import Referral, Status
from referrals.review.services.claims import referral_claim, referral_request_info
from referrals.review.services.decisions import referral_decide
from referrals.review.services.routing import referral_route_batch
from tests.referrals.factories import make_referral

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REMOVED = {
    "action": "content_removed",
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784, Article 3",
    "statement_of_reasons": "The video incites terrorist offences and was removed on the order.",
}


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def file_order_at(liaison, reviewer) -> Referral:
    """A removal order received at T, routed and claimed by `reviewer` a minute later."""
    with mock.patch("django.utils.timezone.now", return_value=T):
        order = make_referral(liaison, "removal_order")
    referral_route_batch(seqs=[order.seq], now=at(1))
    order.refresh_from_db()
    order.queue.members.add(reviewer)
    with mock.patch("django.utils.timezone.now", return_value=at(1)):
        return referral_claim(by=reviewer, referral=order)


@pytest.mark.django_db
def test_a_removal_order_received_at_t_is_due_at_t_plus_60_minutes(liaison, reviewer):
    order = file_order_at(liaison, reviewer)
    assert order.received_at == T
    assert order.due_at == at(60)


@pytest.mark.django_db
def test_a_clarification_request_answered_ten_minutes_later_makes_it_due_at_t_plus_70(liaison, reviewer):
    order = file_order_at(liaison, reviewer)
    referral_request_info(by=reviewer, referral=order, message="Which of the two videos is meant?", now=at(20))
    order.refresh_from_db()
    assert order.status == Status.NEEDS_INFO
    assert order.paused_at == at(20)
    assert order.due_at == at(60)  # not moved until the answer says how long the pause was

    with mock.patch("django.utils.timezone.now", return_value=at(30)):
        referral_reply(referral=order, user=liaison, body="The second one, posted at 08:40.")
    order.refresh_from_db()
    assert order.status == Status.ROUTED
    assert order.paused_at is None
    assert order.due_at == at(70)
    assert order.paused_seconds == 600


@pytest.mark.django_db
@pytest.mark.parametrize(("minutes", "on_time"), [(59, True), (60, True), (61, False)])
def test_a_decision_counts_as_on_time_up_to_the_deadline(liaison, reviewer, minutes, on_time):
    order = file_order_at(liaison, reviewer)
    decision = referral_decide(by=reviewer, referral=order, now=at(minutes), **REMOVED)
    assert decision.on_time is on_time
    order.refresh_from_db()
    assert order.status == Status.ACTIONED
    assert order.decided_at == at(minutes)


@pytest.mark.django_db
@pytest.mark.parametrize(("minutes", "on_time"), [(69, True), (71, False)])
def test_after_a_ten_minute_pause_the_deadline_moves_by_ten_minutes(liaison, reviewer, minutes, on_time):
    order = file_order_at(liaison, reviewer)
    referral_request_info(by=reviewer, referral=order, message="Which of the two videos is meant?", now=at(20))
    with mock.patch("django.utils.timezone.now", return_value=at(30)):
        referral_reply(referral=order, user=liaison, body="The second one.")
    order.refresh_from_db()
    order.queue.members.add(reviewer)
    with mock.patch("django.utils.timezone.now", return_value=at(31)):
        order = referral_claim(by=reviewer, referral=order)
    decision = referral_decide(by=reviewer, referral=order, now=at(minutes), **REMOVED)
    assert decision.on_time is on_time
