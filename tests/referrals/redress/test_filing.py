"""Filing an appeal and recording a complaint through the services (SPEC §16)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import AuditEvent
from referrals.intake.services.filing import referral_withdraw
from referrals.models import Appeal, AppealSource, AppealStatus, Queue, TimelineEvent
from referrals.redress.selectors import APPEAL_WINDOW
from tests.referrals.redress.redress_factories import (
    REASON,
    appealed,
    complained,
    no_violation,
    suspended,
)
from tests.referrals.review_factories import decided, received, routed

pytestmark = pytest.mark.django_db


def test_the_submitting_organisation_appeals_a_decision_into_the_appeals_queue(ngo_member, lead):
    referral = no_violation(lead, ngo_member)
    assert not Appeal.objects.exists()

    appeal = appealed(referral, ngo_member)

    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.source) == (AppealStatus.OPEN, "", AppealSource.NOTIFIER)
    assert (appeal.referral, appeal.filed_by, appeal.organisation) == (referral, ngo_member, referral.organisation)
    assert appeal.reason == REASON
    assert appeal.queue == Queue.objects.get(slug="appeals")
    assert appeal.queue.sla_minutes == 7 * 24 * 60
    assert appeal.due_at == appeal.filed_at + timedelta(days=7)
    assert appeal.original_action == "no_action"
    assert appeal.original_decided_by == lead
    assert appeal.decision == referral.decision
    assert appeal.original["statement_of_reasons"] == referral.decision.statement_of_reasons
    event = TimelineEvent.objects.get(referral=referral, type="appealed")
    assert event.actor == ngo_member and not event.data.get("platform_only")
    entry = AuditEvent.objects.get(action="appeal.file")
    assert (entry.actor, entry.object_id) == (ngo_member, str(appeal.pk))


def test_a_second_appeal_is_refused(ngo_member, ngo_admin, lead):
    referral = no_violation(lead, ngo_member)
    appealed(referral, ngo_member)

    with pytest.raises(TransitionError, match="already been appealed"):
        appealed(referral, ngo_admin)

    assert Appeal.objects.filter(referral=referral).count() == 1


def test_the_database_keeps_one_notifier_appeal_per_referral(ngo_member, lead):
    referral = no_violation(lead, ngo_member)
    first = appealed(referral, ngo_member)
    copy = Appeal.objects.get(pk=first.pk)
    copy.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)


def test_an_appeal_after_six_months_is_refused(ngo_member, lead):
    referral = no_violation(lead, ngo_member)
    decided_at = referral.decision.decided_at

    with pytest.raises(TransitionError, match="time to appeal ended"):
        appealed(referral, ngo_member, now=decided_at + APPEAL_WINDOW + timedelta(seconds=1))

    assert timedelta(days=183) == APPEAL_WINDOW
    assert not Appeal.objects.exists()
    # The last moment of the window is still in time.
    assert appealed(referral, ngo_member, now=decided_at + APPEAL_WINDOW).pk


@pytest.mark.parametrize("persona", ["other_ngo_member", "liaison", "reviewer", "policy"])
def test_only_the_submitting_organisation_appeals(request, persona, ngo_member, lead):
    referral = suspended(lead, ngo_member)

    with pytest.raises(NotAllowed, match="organisation that filed"):
        appealed(referral, request.getfixturevalue(persona))

    assert not Appeal.objects.exists()


def test_an_undecided_or_withdrawn_referral_cannot_be_appealed(ngo_member):
    open_one = routed(ngo_member)
    withdrawn = received(ngo_member)
    referral_withdraw(user=ngo_member, referral=withdrawn, reason="")

    for referral in (open_one, withdrawn):
        with pytest.raises(TransitionError, match="Only a decided referral"):
            appealed(referral, ngo_member)

    assert not Appeal.objects.exists()


def test_a_duplicate_cannot_be_appealed(ngo_member, other_ngo_member, lead):
    suspended(lead, ngo_member, accounts=("hyper",))
    duplicate = routed(other_ngo_member, accounts=("hyper",))
    assert duplicate.status == "duplicate"

    with pytest.raises(TransitionError):
        appealed(duplicate, other_ngo_member)


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Say why"), ("Too short", "at least 20"), ("x" * 5001, "5000"), ("\u202e" + "a" * 19, "at least 20")],
)
def test_the_reason_is_20_to_5000_characters(ngo_member, lead, reason, message):
    referral = no_violation(lead, ngo_member)

    with pytest.raises(DomainError, match=message) as refused:
        appealed(referral, ngo_member, reason=reason)

    assert refused.value.field == "reason"
    assert not Appeal.objects.exists()


def test_the_reason_is_kept_without_format_characters(ngo_member, lead):
    referral = no_violation(lead, ngo_member)

    appeal = appealed(referral, ngo_member, reason="  \u202e" + REASON + "\u200b ")

    assert appeal.reason == REASON


# --- Complaints ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_staff_record_complaints_against_a_restriction(request, persona, ngo_member, lead):
    staff = request.getfixturevalue(persona)
    referral = suspended(lead, ngo_member)

    complaint = complained(referral, staff)

    assert (complaint.source, complaint.status, complaint.filed_by) == (AppealSource.ACCOUNT_HOLDER, "open", None)
    assert (complaint.recorded_by, complaint.organisation) == (staff, None)
    event = TimelineEvent.objects.get(referral=referral, type="complaint")
    assert event.data["platform_only"] is True
    assert AuditEvent.objects.filter(action="appeal.complaint", object_id=str(complaint.pk)).exists()


def test_several_complaints_are_allowed(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)

    complained(referral, reviewer)
    complained(referral, lead)

    assert Appeal.objects.filter(referral=referral, source=AppealSource.ACCOUNT_HOLDER).count() == 2


def test_a_complaint_and_the_notifier_s_appeal_coexist(ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)

    complained(referral, reviewer)
    appealed(referral, ngo_member)

    assert Appeal.objects.filter(referral=referral).count() == 2


def test_a_complaint_needs_a_restriction(ngo_member, lead, reviewer):
    referral = no_violation(lead, ngo_member)

    with pytest.raises(TransitionError, match="contests a restriction"):
        complained(referral, reviewer)


@pytest.mark.parametrize("persona", ["ngo_member", "other_ngo_member", "liaison"])
def test_partners_do_not_record_complaints(request, persona, ngo_member, lead):
    referral = suspended(lead, ngo_member)

    with pytest.raises(NotAllowed):
        complained(referral, request.getfixturevalue(persona))

    assert not Appeal.objects.exists()


def test_the_appeals_queue_comes_from_the_data_migration_and_keeps_leads_edits():
    import importlib

    from django.apps import apps

    queue = Queue.objects.get(slug="appeals")
    assert (queue.name, queue.sla_minutes) == ("Appeals", 10080)
    Queue.objects.filter(pk=queue.pk).update(name="Appeals and complaints", sla_minutes=5 * 24 * 60)

    importlib.import_module("referrals.migrations.0013_appeals").create_appeals_queue(apps, None)

    queue.refresh_from_db()
    assert (queue.name, queue.sla_minutes) == ("Appeals and complaints", 7200)
    assert Queue.objects.filter(slug="appeals").count() == 1


def test_an_appeal_s_due_date_follows_the_queue_s_sla(ngo_member, lead):
    Queue.objects.filter(slug="appeals").update(sla_minutes=60 * 24)
    referral = no_violation(lead, ngo_member)
    now = timezone.now()

    appeal = appealed(referral, ngo_member, now=now)

    assert appeal.due_at == now + timedelta(days=1)


DISCLOSED = {
    "action": "data_disclosed",
    "ground": "legal",
    "policy": "Emergency disclosure procedure",
    "statement_of_reasons": "Subscriber information disclosed to the agency for the imminent threat.",
}


def test_a_granted_emergency_request_has_nothing_to_appeal(liaison, lead, client_for):
    referral = decided(lead, liaison, "emergency_request", decision=DISCLOSED)

    with pytest.raises(TransitionError, match="granted"):
        appealed(referral, liaison)

    assert not Appeal.objects.exists()
    page = client_for(liaison).get(f"/referrals/{referral.reference}/")
    assert b"Appeal this decision" not in page.content
