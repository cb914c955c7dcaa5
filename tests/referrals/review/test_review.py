"""SPEC §4.6 through the services: claim, release, request information, decide, reassign."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.errors import DomainError, NotAllowed, TransitionError
from referrals.intake.services.filing import referral_reply
from referrals.models import Decision, PreservationHold, Queue, Referral, Status, Subject, TimelineEvent
from referrals.review.services.claims import (
    referral_claim,
    referral_claim_next,
    referral_reassign,
    referral_release,
    referral_request_info,
)
from referrals.review.services.decisions import referral_decide
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db

SUSPEND = {
    "action": "account_suspended",
    "ground": "terms",
    "policy": "Violent extremism policy 3.1",
    "statement_of_reasons": "The account repeatedly posts recruitment material for a proscribed group.",
}


def general(*members) -> Queue:
    queue = Queue.objects.get(slug="general")
    queue.members.add(*members)
    return queue


# --- Claiming ----------------------------------------------------------------------------------


def test_claim_next_takes_the_highest_priority_routed_referral(other_ngo_member, reviewer):
    queue = general(reviewer)
    low = routed(other_ngo_member, severity="low", category="hateful_conduct")
    high = routed(other_ngo_member, severity="high", category="hateful_conduct")

    referral = referral_claim_next(by=reviewer, queue=queue)

    assert referral.pk == high.pk
    high.refresh_from_db()
    low.refresh_from_db()
    assert (high.status, high.assignee) == (Status.IN_REVIEW, reviewer)
    assert (low.status, low.assignee) == (Status.ROUTED, None)
    assert TimelineEvent.objects.filter(referral=high, type="claimed", actor=reviewer).count() == 1


def test_claim_next_skips_referrals_already_claimed(other_ngo_member, reviewer, lead):
    queue = general(reviewer)
    first = routed(other_ngo_member, severity="high")
    second = routed(other_ngo_member, severity="low")
    referral_claim_next(by=lead, queue=queue)

    assert referral_claim_next(by=reviewer, queue=queue).pk == second.pk
    assert Referral.objects.get(pk=first.pk).assignee == lead


def test_claim_next_returns_none_when_the_queue_is_empty(reviewer):
    assert referral_claim_next(by=reviewer, queue=general(reviewer)) is None


def test_reviewers_claim_only_in_queues_they_belong_to(other_ngo_member, reviewer):
    routed(other_ngo_member)

    with pytest.raises(NotAllowed):
        referral_claim_next(by=reviewer, queue=Queue.objects.get(slug="general"))


def test_claiming_a_referral_someone_else_has_is_a_conflict(other_ngo_member, reviewer, lead):
    referral = claimed(reviewer, other_ngo_member)

    with pytest.raises(TransitionError):
        referral_claim(by=lead, referral=referral)


# --- Release and reassign -------------------------------------------------------------------------


def test_release_returns_the_referral_to_its_queue(other_ngo_member, reviewer):
    referral = claimed(reviewer, other_ngo_member)

    referral_release(by=reviewer, referral=referral)

    referral.refresh_from_db()
    assert (referral.status, referral.assignee) == (Status.ROUTED, None)


def test_only_the_assignee_or_a_lead_releases(other_ngo_member, reviewer, platform, lead):
    from partners.models import Role
    from tests.factories import make_member

    other_reviewer = make_member(platform, Role.REVIEWER)
    referral = claimed(reviewer, other_ngo_member)
    general(other_reviewer)

    with pytest.raises(NotAllowed):
        referral_release(by=other_reviewer, referral=referral)
    referral_release(by=lead, referral=referral)
    assert Referral.objects.get(pk=referral.pk).status == Status.ROUTED


def test_a_lead_reassigns_to_a_member_of_the_queue(other_ngo_member, reviewer, lead, platform):
    from partners.models import Role
    from tests.factories import make_member

    colleague = make_member(platform, Role.REVIEWER)
    referral = claimed(reviewer, other_ngo_member)

    with pytest.raises(DomainError):
        referral_reassign(by=lead, referral=referral, assignee=colleague)
    general(colleague)
    referral_reassign(by=lead, referral=referral, assignee=colleague)

    assert Referral.objects.get(pk=referral.pk).assignee == colleague
    with pytest.raises(NotAllowed):
        referral_reassign(by=reviewer, referral=referral, assignee=None)


# --- Requesting information: the paused clock ----------------------------------------------------


def test_request_info_pauses_the_clock_and_the_reply_resumes_the_remaining_time(liaison, reviewer):
    order = claimed(reviewer, liaison, "removal_order")
    due = order.due_at
    asked = timezone.now() - timedelta(minutes=10)

    referral_request_info(by=reviewer, referral=order, message="Which post does the order cover?", now=asked)
    order.refresh_from_db()
    assert (order.status, order.paused_at) == (Status.NEEDS_INFO, asked)

    referral_reply(referral=order, user=liaison, body="The post of 1 March at 10:02.")
    order.refresh_from_db()
    assert order.status == Status.ROUTED
    assert order.paused_at is None
    assert timedelta(minutes=10) <= order.due_at - due < timedelta(minutes=10, seconds=5)
    assert 600 <= order.paused_seconds < 605


def test_request_info_needs_a_question(other_ngo_member, reviewer):
    referral = claimed(reviewer, other_ngo_member)

    with pytest.raises(DomainError) as error:
        referral_request_info(by=reviewer, referral=referral, message="  ")

    assert error.value.field == "message"
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW


# --- Decisions -----------------------------------------------------------------------------------


def test_a_suspension_actions_the_referral_and_suspends_its_subjects(other_ngo_member, reviewer):
    referral = claimed(reviewer, other_ngo_member, accounts=("hyper", "amp"))

    decision = referral_decide(by=reviewer, referral=referral, territorial_scope=["de", "FR"], **SUSPEND)

    referral.refresh_from_db()
    assert referral.status == Status.ACTIONED
    assert referral.decided_at == decision.decided_at
    assert decision.on_time is True
    assert decision.territorial_scope == ["DE", "FR"]
    assert set(Subject.objects.filter(suspended_by=referral).values_list("account", flat=True)) == {"hyper", "amp"}
    assert TimelineEvent.objects.filter(referral=referral, type="decided").count() == 1


def test_no_action_means_no_violation(other_ngo_member, reviewer):
    referral = claimed(reviewer, other_ngo_member)

    referral_decide(by=reviewer, referral=referral, **{**SUSPEND, "action": "no_action"})

    assert Referral.objects.get(pk=referral.pk).status == Status.NO_VIOLATION


def test_unable_to_comply_with_a_removal_order_needs_a_reason(liaison, reviewer):
    order = claimed(reviewer, liaison, "removal_order")
    data = {**SUSPEND, "action": "unable_to_comply", "ground": "legal"}

    with pytest.raises(ValidationError) as error:
        referral_decide(by=reviewer, referral=order, **data)
    assert "non_compliance_reason" in error.value.message_dict

    referral_decide(by=reviewer, referral=order, non_compliance_reason="manifest_error", **data)
    order.refresh_from_db()
    assert order.status == Status.REJECTED
    assert order.decision.non_compliance_reason == "manifest_error"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"statement_of_reasons": "Too short."}, "statement_of_reasons"),
        ({"statement_of_reasons": "x" * 5001}, "statement_of_reasons"),
        ({"action": "banned"}, "action"),
        ({"ground": "vibes"}, "ground"),
        ({"policy": ""}, "policy"),
        ({"territorial_scope": ["Germany"]}, "territorial_scope"),
        ({"restriction_end": date(2000, 1, 1)}, "restriction_end"),
        ({"action": "data_preserved"}, "action"),
        ({"non_compliance_reason": "force_majeure"}, "non_compliance_reason"),
    ],
)
def test_a_bad_decision_is_refused_on_its_field_and_changes_nothing(other_ngo_member, reviewer, change, field):
    referral = claimed(reviewer, other_ngo_member)

    with pytest.raises(ValidationError) as error:
        referral_decide(by=reviewer, referral=referral, **{**SUSPEND, **change})

    assert field in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.IN_REVIEW
    assert not Decision.objects.filter(referral=referral).exists()
    assert not Subject.objects.filter(suspended_at__isnull=False).exists()


def test_a_decision_after_the_deadline_is_late(liaison, reviewer):
    order = claimed(reviewer, liaison, "removal_order")

    decision = referral_decide(
        by=reviewer,
        referral=order,
        now=order.received_at + timedelta(minutes=61),
        **{**SUSPEND, "action": "content_removed", "ground": "legal"},
    )

    assert decision.on_time is False


def test_only_the_assignee_or_a_lead_decides(other_ngo_member, reviewer, lead, platform):
    from partners.models import Role
    from tests.factories import make_member

    colleague = make_member(platform, Role.REVIEWER)
    referral = claimed(reviewer, other_ngo_member)
    general(colleague)

    with pytest.raises(NotAllowed):
        referral_decide(by=colleague, referral=referral, **SUSPEND)
    referral_decide(by=lead, referral=referral, **SUSPEND)
    assert Referral.objects.get(pk=referral.pk).status == Status.ACTIONED


def test_a_decided_referral_cannot_be_decided_again(other_ngo_member, reviewer):
    referral = claimed(reviewer, other_ngo_member)
    referral_decide(by=reviewer, referral=referral, **SUSPEND)

    with pytest.raises(TransitionError):
        referral_decide(by=reviewer, referral=referral, **SUSPEND)


def test_apply_to_subject_closes_other_open_notices_but_never_legal_kinds(
    ngo_member, other_ngo_member, liaison, reviewer
):
    referral = claimed(reviewer, ngo_member, accounts=("hyper",))
    notice = routed(other_ngo_member, accounts=("hyper", "other"))
    le_referral = routed(liaison, "le_referral", accounts=("hyper",))
    order = routed(liaison, "removal_order", accounts=("hyper",))
    unrelated = routed(other_ngo_member, accounts=("someone-else",))

    decision = referral_decide(by=reviewer, referral=referral, **SUSPEND)

    for closed in (notice, le_referral):
        closed.refresh_from_db()
        assert closed.status == Status.ACTIONED
        assert closed.related_id == referral.pk
        assert closed.decision.applied_from == decision
        assert closed.decision.action == "account_suspended"
    assert Referral.objects.get(pk=order.pk).status == Status.ROUTED
    assert Referral.objects.get(pk=unrelated.pk).status == Status.ROUTED


def test_without_apply_to_subject_other_notices_stay_open(ngo_member, other_ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member, accounts=("hyper",))
    notice = routed(other_ngo_member, accounts=("hyper",))

    referral_decide(by=reviewer, referral=referral, apply_to_subject=False, **SUSPEND)

    assert Referral.objects.get(pk=notice.pk).status == Status.ROUTED


def test_data_preserved_puts_a_hold_on_the_subjects_until_preserve_until(liaison, reviewer):
    until = timezone.localdate() + timedelta(days=30)
    request = claimed(reviewer, liaison, "preservation_request", accounts=("a", "b"), preserve_until=until.isoformat())

    referral_decide(
        by=reviewer,
        referral=request,
        **{**SUSPEND, "action": "data_preserved", "ground": "legal"},
    )

    holds = PreservationHold.objects.filter(referral=request)
    assert sorted(h.subject.account for h in holds) == ["a", "b"]
    assert {h.until for h in holds} == {until}
