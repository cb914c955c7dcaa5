"""SPEC §4.4: the deadline watch marks breaches once, writes the timeline, alerts the leads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Notification
from referrals.models import Referral, Status, TimelineEvent
from referrals.review.services.claims import referral_request_info
from referrals.review.services.deadlines import referrals_mark_breached
from referrals.review.services.decisions import referral_decide
from referrals.tasks import watch_deadlines
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db


def test_a_referral_past_its_deadline_is_marked_breached_once(liaison, lead):
    order = routed(liaison, "removal_order", received_at=timezone.now() - timedelta(minutes=61))

    assert [r.pk for r in referrals_mark_breached()] == [order.pk]
    assert referrals_mark_breached() == []

    order.refresh_from_db()
    assert order.breached is True
    assert TimelineEvent.objects.filter(referral=order, type="breached").count() == 1


def test_the_queue_leads_are_alerted_once(liaison, lead, reviewer):
    order = routed(liaison, "removal_order", received_at=timezone.now() - timedelta(minutes=61))

    watch_deadlines()
    watch_deadlines()

    # The page on receipt (SPEC §17) is another alert, tested in law_enforcement/test_paging.py.
    alerts = Notification.objects.filter(user=lead).exclude(subject__startswith="URGENT")
    assert alerts.count() == 1
    assert order.reference in alerts[0].subject
    assert alerts[0].link == "/queues/legal-orders/"
    assert not Notification.objects.filter(user=reviewer).exists()


def test_a_referral_within_its_deadline_is_not_breached(liaison):
    routed(liaison, "removal_order", received_at=timezone.now() - timedelta(minutes=59))

    assert referrals_mark_breached() == []


def test_a_paused_clock_cannot_breach(liaison, reviewer):
    order = claimed(reviewer, liaison, "removal_order", received_at=timezone.now() - timedelta(minutes=50))
    referral_request_info(by=reviewer, referral=order, message="Which post exactly?")

    assert referrals_mark_breached(now=timezone.now() + timedelta(minutes=30)) == []
    assert Referral.objects.get(pk=order.pk).status == Status.NEEDS_INFO


def test_a_decided_referral_is_never_breached(other_ngo_member, reviewer):
    referral = claimed(reviewer, other_ngo_member)
    referral_decide(
        by=reviewer,
        referral=referral,
        action="no_action",
        ground="terms",
        policy="Violent extremism policy",
        statement_of_reasons="The post reports on an attack without praising it.",
    )

    assert referrals_mark_breached(now=timezone.now() + timedelta(days=10)) == []
