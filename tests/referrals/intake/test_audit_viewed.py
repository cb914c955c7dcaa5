"""`referral_audit_viewed`, the one rule behind the page, API and feedback views' audit entries."""

import pytest

from portal.models import AuditEvent
from referrals.services.audit import referral_audit_viewed
from tests.referrals.factories import make_referral


@pytest.mark.django_db
def test_a_look_at_a_law_enforcement_request_is_audited_with_the_face_it_came_through(liaison, reviewer):
    order = make_referral(liaison, "removal_order")
    assert not AuditEvent.objects.filter(action="referral.view").exists()
    referral_audit_viewed(order, by=reviewer)
    referral_audit_viewed(order, by=reviewer, view="feedback")
    entries = AuditEvent.objects.filter(action="referral.view").order_by("pk")
    assert [(e.actor, e.object_id, e.organisation_id, e.data) for e in entries] == [
        (reviewer, str(order.pk), order.organisation_id, {}),
        (reviewer, str(order.pk), order.organisation_id, {"view": "feedback"}),
    ]


@pytest.mark.django_db
def test_a_look_at_a_notice_is_not_audited(ngo_member, reviewer):
    notice = make_referral(ngo_member)
    referral_audit_viewed(notice, by=reviewer, view="feedback")
    assert not AuditEvent.objects.filter(action="referral.view").exists()
