"""Deciding appeals and complaints, and what a reversal does (SPEC §16)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import AuditEvent
from referrals.models import Appeal, AppealOutcome, AppealStatus, Decision, Referral, Status, Subject, TimelineEvent
from referrals.redress.services import REOPEN_PRIORITY, appeal_decide
from referrals.review.services.claims import referral_claim
from referrals.review.services.decisions import referral_decide
from tests.referrals.redress.redress_factories import STATEMENT, appealed, complained, no_violation, suspended
from tests.referrals.review_factories import DECISION, routed

pytestmark = pytest.mark.django_db


def decide(appeal, by, outcome, statement=STATEMENT, **kwargs):
    return appeal_decide(by=by, appeal=appeal, outcome=outcome, statement=statement, **kwargs)


# --- Upheld ---------------------------------------------------------------------------------------


def test_an_upheld_appeal_leaves_the_decision_as_it_was(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member, accounts=("hyper",))
    appeal = appealed(referral, ngo_member)

    decide(appeal, reviewer, "upheld")

    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.statement) == (AppealStatus.DECIDED, "upheld", STATEMENT)
    assert (appeal.decided_by, appeal.decision) == (reviewer, referral.decision)
    assert appeal.decided_at is not None
    referral.refresh_from_db()
    assert referral.status == Status.ACTIONED
    assert Subject.objects.get(account="hyper").status == "suspended"
    event = TimelineEvent.objects.get(referral=referral, type="appeal_decided")
    assert "decision stands" in event.message
    assert not TimelineEvent.objects.filter(referral=referral, type="decision_reversed").exists()
    assert AuditEvent.objects.get(action="appeal.decide").data["outcome"] == "upheld"


def test_an_upheld_complaint_is_internal_to_the_platform(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)
    complaint = complained(referral, reviewer)

    decide(complaint, reviewer, "upheld")

    event = TimelineEvent.objects.get(referral=referral, type="complaint_decided")
    assert event.data["platform_only"] is True


# --- Reversed: a restriction is lifted ----------------------------------------------------------


def test_a_reversed_suspension_reinstates_the_account_at_once(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member, accounts=("hyper",))
    subject = Subject.objects.get(account="hyper")
    assert (subject.status, subject.suspended_by_id) == ("suspended", referral.pk)
    appeal = appealed(referral, ngo_member)

    decide(appeal, reviewer, "reversed")

    subject.refresh_from_db()
    assert (subject.status, subject.suspended_at, subject.suspended_by) == ("active", None, None)
    referral.refresh_from_db()
    assert referral.status == Status.ACTIONED  # the decision stays, for the record
    assert Decision.objects.filter(referral=referral).exists()
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.decision) == (AppealOutcome.REVERSED, referral.decision)
    event = TimelineEvent.objects.get(referral=referral, type="decision_reversed")
    assert event.message == "Decision reversed on appeal; the account is active again."
    assert not event.data.get("platform_only")
    assert AuditEvent.objects.filter(action="subject.reinstate", object_id=str(subject.pk)).exists()


def test_a_reversed_complaint_reinstates_the_account_too(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member, accounts=("hyper",))
    complaint = complained(referral, lead)

    decide(complaint, reviewer, "reversed")

    assert Subject.objects.get(account="hyper").status == "active"
    assert TimelineEvent.objects.filter(referral=referral, type="decision_reversed").exists()
    assert TimelineEvent.objects.get(referral=referral, type="complaint_decided").data["platform_only"] is True


def test_only_the_accounts_this_decision_suspended_are_reinstated(ngo_member, other_ngo_member, lead, reviewer):
    earlier = suspended(lead, other_ngo_member, accounts=("already",))
    referral = suspended(lead, ngo_member, accounts=("already", "hyper"))
    assert Subject.objects.get(account="already").suspended_by_id == earlier.pk
    appeal = appealed(referral, ngo_member)

    decide(appeal, reviewer, "reversed")

    assert Subject.objects.get(account="hyper").status == "active"
    assert Subject.objects.get(account="already").status == "suspended"


def test_reinstatement_ends_duplicate_closure(ngo_member, other_ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member, accounts=("hyper",))
    before = routed(other_ngo_member, accounts=("hyper",))
    assert before.status == Status.DUPLICATE
    appeal = appealed(referral, ngo_member)

    decide(appeal, reviewer, "reversed")
    after = routed(other_ngo_member, accounts=("hyper",))

    assert after.status == Status.ROUTED
    assert after.related is None
    assert not TimelineEvent.objects.filter(referral=after, type="duplicate").exists()


def test_a_reversed_removal_lifts_the_restriction_without_touching_the_account(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member, accounts=("hyper",), decision={"action": "content_removed"})
    complaint = complained(referral, reviewer)

    decide(complaint, reviewer, "reversed")

    event = TimelineEvent.objects.get(referral=referral, type="decision_reversed")
    assert event.message == "Decision reversed on appeal; the restriction is lifted."
    assert Subject.objects.get(account="hyper").status == "active"


def test_the_referrals_a_reversed_suspension_was_applied_to_say_so(ngo_member, other_ngo_member, lead, reviewer):
    other = routed(other_ngo_member, accounts=("hyper",))
    referral = suspended(lead, ngo_member, accounts=("hyper",))
    other.refresh_from_db()
    assert other.status == Status.ACTIONED and other.related_id == referral.pk
    appeal = appealed(referral, ngo_member)

    decide(appeal, reviewer, "reversed")

    event = TimelineEvent.objects.get(referral=other, type="decision_reversed")
    assert event.message == "Decision reversed on appeal; the account is active again."


def test_an_appeal_of_a_copied_suspension_lifts_the_suspension_it_copied(ngo_member, other_ngo_member, lead, reviewer):
    other = routed(other_ngo_member, accounts=("hyper",))
    suspended(lead, ngo_member, accounts=("hyper",))
    other.refresh_from_db()
    appeal = appealed(other, other_ngo_member)

    decide(appeal, reviewer, "reversed")

    assert Subject.objects.get(account="hyper").status == "active"


# --- Reversed: a decision that restricted nothing is taken again --------------------------------


def test_a_reversed_no_action_goes_back_to_its_queue_with_fifty_points(ngo_member, lead, reviewer):
    referral = no_violation(lead, ngo_member)
    queue, priority, reasons = referral.queue, referral.priority, list(referral.routing_reasons)
    decision = referral.decision
    assert (referral.status, referral.assignee) == (Status.NO_VIOLATION, lead)
    appeal = appealed(referral, ngo_member)
    now = timezone.now()

    decide(appeal, reviewer, "reversed", now=now)

    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.status, referral.queue, referral.assignee) == (Status.ROUTED, queue, None)
    assert referral.priority == priority + REOPEN_PRIORITY == priority + 50
    assert (referral.decided_at, referral.closed_at, referral.breached) == (None, None, False)
    assert referral.due_at == now + timedelta(minutes=queue.sla_minutes)
    assert referral.routing_reasons[: len(reasons)] == reasons
    assert "Reversed on appeal" in referral.routing_reasons[-1] and "+ 50" in referral.routing_reasons[-1]
    assert not Decision.objects.filter(pk=decision.pk).exists()
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.decision, appeal.original_action) == ("reversed", None, "no_action")
    assert appeal.original["statement_of_reasons"] == decision.statement_of_reasons
    event = TimelineEvent.objects.get(referral=referral, type="decision_reversed")
    assert event.message == "Decision reversed on appeal; the referral is back in review."
    assert AuditEvent.objects.get(action="decision.reverse").data["decision"]["action"] == "no_action"


def test_a_reopened_referral_is_claimed_and_decided_afresh(ngo_member, lead, reviewer):
    referral = no_violation(lead, ngo_member)
    decide(appealed(referral, ngo_member), reviewer, "reversed")
    referral = Referral.objects.get(pk=referral.pk)
    referral.queue.members.add(reviewer)

    referral_claim(by=reviewer, referral=referral)
    referral_decide(by=reviewer, referral=Referral.objects.get(pk=referral.pk), **DECISION)

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Status.ACTIONED
    assert referral.decision.action == "account_suspended"
    assert referral.decision.decided_by == reviewer
    # Once appealed, always appealed: the fresh decision cannot be appealed again.
    with pytest.raises(TransitionError, match="already been appealed"):
        appealed(referral, ngo_member)


# --- Refusals --------------------------------------------------------------------------------------


def test_the_original_decider_may_not_decide_the_appeal(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)
    appeal = appealed(referral, ngo_member)

    with pytest.raises(NotAllowed, match="You took the decision under appeal"):
        decide(appeal, lead, "reversed")

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.OPEN
    assert Subject.objects.filter(suspended_at__isnull=False).exists()


def test_an_appeal_is_decided_once(ngo_member, lead, reviewer, platform):
    from partners.models import Role
    from tests.factories import make_member

    appeal = appealed(no_violation(lead, ngo_member), ngo_member)
    decide(appeal, reviewer, "upheld")

    with pytest.raises(TransitionError, match="already been decided"):
        decide(appeal, make_member(platform, Role.QUEUE_LEAD), "reversed")

    appeal.refresh_from_db()
    assert appeal.outcome == "upheld"


@pytest.mark.parametrize("persona", ["policy", "ngo_member", "liaison"])
def test_only_reviewers_and_leads_decide(request, persona, ngo_member, lead):
    appeal = appealed(no_violation(lead, ngo_member), ngo_member)

    with pytest.raises(NotAllowed):
        decide(appeal, request.getfixturevalue(persona), "upheld")

    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.OPEN


@pytest.mark.parametrize(
    ("outcome", "statement", "field"),
    [("maybe", STATEMENT, "outcome"), ("upheld", "", "statement"), ("reversed", "Too short", "statement")],
)
def test_a_bad_outcome_or_statement_is_refused_on_its_field(ngo_member, lead, reviewer, outcome, statement, field):
    appeal = appealed(no_violation(lead, ngo_member), ngo_member)

    with pytest.raises(DomainError) as refused:
        decide(appeal, reviewer, outcome, statement)

    assert refused.value.field == field
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.OPEN


def test_a_decision_reversed_once_is_not_reversed_again(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)
    complaint = complained(referral, reviewer)
    appeal = appealed(referral, ngo_member)
    decide(complaint, reviewer, "reversed")

    with pytest.raises(TransitionError, match="already been reversed"):
        decide(appeal, reviewer, "reversed")
    with pytest.raises(TransitionError, match="already been reversed"):
        complained(referral, reviewer)

    decide(appeal, reviewer, "upheld")  # the open appeal can still be closed


def test_a_reversed_suspension_leaves_an_account_another_standing_decision_suspends(
    ngo_member, other_ngo_member, lead, reviewer
):
    # Two organisations' notices, each decided on its own; the second also names an account
    # not yet suspended, so routing does not close it as a duplicate.
    first = suspended(lead, ngo_member, accounts=("hyper", "amplifier"))
    second = suspended(lead, other_ngo_member, accounts=("hyper", "newcomer"))
    assert Subject.objects.get(account="hyper").suspended_by_id == first.pk

    decide(appealed(first, ngo_member), reviewer, "reversed")

    hyper, amplifier = Subject.objects.get(account="hyper"), Subject.objects.get(account="amplifier")
    assert hyper.status == "suspended" and hyper.suspended_by_id == second.pk
    assert amplifier.status == "active"
