"""Escalation through the service (SPEC §15): the assignee hands a referral to the queue leads."""

import pytest
from django.core import mail

from partners.models import Role
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import AuditEvent, Notification
from referrals.models import Queue, Referral, Status, TimelineEvent
from referrals.review.permissions import can_work_queue
from referrals.review.selectors import queue_for, queues_visible_to
from referrals.review.services.claims import referral_claim_next, referral_request_info
from referrals.review.services.decisions import referral_decide
from referrals.review.services.escalation import referral_escalate
from tests.factories import make_member
from tests.referrals.review_factories import DECISION, claimed

pytestmark = pytest.mark.django_db

REASON = "Possible state-linked network; needs a lead's call"


def test_the_assignee_escalates_to_the_leads_queue(ngo_member, reviewer, lead):
    referral = claimed(reviewer, ngo_member)
    due_at, priority, before_queue = referral.due_at, referral.priority, referral.queue
    assert (referral.status, referral.assignee) == (Status.IN_REVIEW, reviewer)
    assert not Queue.objects.filter(slug="escalations").exists()

    referral_escalate(by=reviewer, referral=referral, reason=REASON)

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.queue.slug == "escalations"
    assert (referral.status, referral.assignee) == (Status.ROUTED, None)
    assert (referral.due_at, referral.priority) == (due_at, priority)
    queue = Queue.objects.get(slug="escalations")
    assert (queue.name, queue.sla_minutes) == ("Escalations", 240)
    assert list(queue.members.all()) == [lead]
    event = TimelineEvent.objects.get(referral=referral, type="escalated")
    assert event.actor == reviewer
    assert event.data["platform_only"] is True
    assert event.data["from_queue"] == before_queue.slug
    assert REASON in event.data["platform_message"]
    assert REASON not in event.message


def test_the_queue_is_made_once(ngo_member, reviewer):
    referral_escalate(by=reviewer, referral=claimed(reviewer, ngo_member), reason=REASON)
    referral_escalate(by=reviewer, referral=claimed(reviewer, ngo_member), reason=REASON)

    assert Queue.objects.filter(slug="escalations").count() == 1
    assert Referral.objects.filter(queue__slug="escalations").count() == 2


def test_escalating_is_audited_without_the_reason(ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    referral_escalate(by=reviewer, referral=referral, reason=REASON)

    entry = AuditEvent.objects.get(action="referral.escalate")
    assert (entry.actor, entry.object_id, entry.organisation) == (reviewer, str(referral.pk), referral.organisation)
    assert entry.data["queue"] == "escalations"
    assert entry.data["was"] == {"queue": referral.queue.slug, "assignee": reviewer.pk}
    assert "state-linked" not in str(entry.data)


def test_every_queue_lead_is_alerted_in_app_and_by_email(
    ngo_member, reviewer, lead, platform, mailoutbox, django_capture_on_commit_callbacks
):
    second_lead = make_member(platform, Role.QUEUE_LEAD)
    referral = claimed(reviewer, ngo_member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_escalate(by=reviewer, referral=referral, reason=REASON)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([lead.email, second_lead.email])
    message = mailoutbox[0]
    assert referral.reference in message.subject
    text = message.body + message.alternatives[0][0]
    assert referral.reference in text
    assert f"/referrals/{referral.reference}/" in text
    # No partner data, and not even the reason: it is read on the referral page.
    for withheld in (REASON, referral.explanation, ngo_member.email, referral.organisation.name, "someone"):
        assert withheld not in text
    assert (
        Notification.objects.filter(user__in=[lead, second_lead], link=f"/referrals/{referral.reference}/").count() == 2
    )
    assert not Notification.objects.filter(user=ngo_member, subject__icontains="escalat").exists()


def test_a_lead_who_escalates_is_not_alerted_about_it(ngo_member, lead, platform):
    other_lead = make_member(platform, Role.QUEUE_LEAD)
    referral = claimed(lead, ngo_member)

    referral_escalate(by=lead, referral=referral, reason=REASON)

    assert not Notification.objects.filter(user=lead, link__contains=referral.reference).exists()
    assert Notification.objects.filter(user=other_lead, link__contains=referral.reference).count() == 1


def test_only_the_assignee_escalates(ngo_member, reviewer, lead, policy, platform):
    colleague = make_member(platform, Role.REVIEWER)
    referral = claimed(reviewer, ngo_member)
    referral.queue.members.add(colleague)

    for someone in (colleague, lead, policy, ngo_member):
        with pytest.raises(NotAllowed):
            referral_escalate(by=someone, referral=referral, reason=REASON)

    referral.refresh_from_db()
    assert (referral.queue.slug, referral.assignee) != ("escalations", None)
    assert not TimelineEvent.objects.filter(referral=referral, type="escalated").exists()


def test_a_closed_referral_cannot_be_escalated(ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)
    referral_decide(by=reviewer, referral=referral, **DECISION)
    referral.refresh_from_db()
    assert referral.assignee == reviewer

    with pytest.raises(TransitionError):
        referral_escalate(by=reviewer, referral=referral, reason=REASON)

    assert Referral.objects.get(pk=referral.pk).queue.slug != "escalations"


def test_a_referral_already_with_the_leads_is_not_escalated_again(ngo_member, reviewer, lead):
    referral = claimed(reviewer, ngo_member)
    referral_escalate(by=reviewer, referral=referral, reason=REASON)
    taken = referral_claim_next(by=lead, queue=Queue.objects.get(slug="escalations"))
    assert taken.pk == referral.pk

    with pytest.raises(TransitionError):
        referral_escalate(by=lead, referral=taken, reason="again")

    assert TimelineEvent.objects.filter(referral=referral, type="escalated").count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "\u200b", "r" * 2001])
def test_a_reason_is_required(ngo_member, reviewer, reason):
    referral = claimed(reviewer, ngo_member)

    with pytest.raises(DomainError) as refused:
        referral_escalate(by=reviewer, referral=referral, reason=reason)

    assert refused.value.field == "reason"
    referral.refresh_from_db()
    assert (referral.status, referral.assignee) == (Status.IN_REVIEW, reviewer)
    assert not Queue.objects.filter(slug="escalations").exists()


def test_a_referral_waiting_for_the_submitter_stays_paused(ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)
    referral_request_info(by=reviewer, referral=referral, message="Which post do you mean?")
    referral.refresh_from_db()
    paused_at, due_at = referral.paused_at, referral.due_at

    referral_escalate(by=reviewer, referral=referral, reason=REASON)

    referral.refresh_from_db()
    assert (referral.status, referral.assignee, referral.queue.slug) == (Status.NEEDS_INFO, None, "escalations")
    assert (referral.paused_at, referral.due_at) == (paused_at, due_at)


def test_only_leads_see_and_work_the_escalations_queue(ngo_member, reviewer, lead, policy):
    referral_escalate(by=reviewer, referral=claimed(reviewer, ngo_member), reason=REASON)
    queue = Queue.objects.get(slug="escalations")
    queue.members.add(reviewer)  # even a reviewer added by hand

    assert queue in queues_visible_to(lead)
    assert queue not in queues_visible_to(reviewer)
    assert queue not in queues_visible_to(policy)
    assert can_work_queue(lead, queue)
    assert not can_work_queue(reviewer, queue)
    with pytest.raises(NotAllowed):
        referral_claim_next(by=reviewer, queue=queue)
    assert queue_for(lead, "escalations") == queue
