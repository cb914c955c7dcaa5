"""SPEC §4.1-4.5 through the database: rules, priority, deadlines, idempotency, duplicates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import OrganisationKind
from portal.models import AuditEvent
from referrals.models import Decision, Referral, Status, Subject, TimelineEvent
from referrals.review.services.routing import referral_route_batch, referrals_sweep_received
from referrals.tasks import route_referrals
from tests.referrals.review_factories import ngo_member_of_new_organisation, received, routed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("submitter", "fields", "queue"),
    [
        ("liaison", {"kind": "removal_order", "severity": "high"}, "legal-orders"),
        ("liaison", {"kind": "emergency_request", "severity": "imminent"}, "legal-orders"),
        ("liaison", {"kind": "preservation_request"}, "preservation"),
        ("other_ngo_member", {"severity": "imminent"}, "urgent-threats"),
        ("liaison", {"kind": "le_referral", "category": "propaganda"}, "le-referrals"),
        ("ngo_member", {"category": "propaganda"}, "trusted-flaggers"),
        ("other_ngo_member", {"category": "terrorist_recruitment"}, "violent-extremism"),
        ("other_ngo_member", {"category": "glorification"}, "violent-extremism"),
        ("other_ngo_member", {"category": "hateful_conduct"}, "general"),
    ],
)
def test_each_default_rule_routes_to_its_queue(request, submitter, fields, queue):
    fields = dict(fields)
    referral = routed(request.getfixturevalue(submitter), fields.pop("kind", "notice"), **fields)

    assert referral.status == Status.ROUTED
    assert referral.queue.slug == queue
    assert referral.routed_at is not None
    assert referral.routing_reasons[0].startswith("Rule ")


def test_priority_adds_kind_severity_trusted_and_corroboration(ngo_member):
    for _ in range(2):
        received(ngo_member_of_new_organisation(), accounts=("shared",))

    referral = routed(ngo_member, severity="high", accounts=("shared",))

    # notice 20 + high 40 + trusted 20 + two other organisations 20
    assert referral.priority == 100
    assert any("corroboration 20 (2 other organisations)" in r for r in referral.routing_reasons)


def test_corroboration_is_capped_at_forty(other_ngo_member):
    for _ in range(6):
        received(ngo_member_of_new_organisation(), accounts=("amplified",))

    referral = routed(other_ngo_member, severity="low", accounts=("amplified",))

    assert referral.priority == 20 + 0 + 0 + 40


def test_corroboration_ignores_the_same_organisation_and_referrals_older_than_thirty_days(other_ngo_member):
    now = timezone.now()
    received(other_ngo_member, accounts=("a",))
    received(ngo_member_of_new_organisation(), accounts=("a",), received_at=now - timedelta(days=31))

    referral = routed(other_ngo_member, accounts=("a",), received_at=now)

    assert referral.priority == 20


def test_a_batch_of_two_organisations_counts_the_earlier_one_for_the_later(other_ngo_member):
    first = received(other_ngo_member, accounts=("both",))
    later = received(ngo_member_of_new_organisation(), accounts=("both",))

    assert referral_route_batch(seqs=[first.seq, later.seq]) == 2

    first.refresh_from_db()
    later.refresh_from_db()
    assert any("corroboration 0 (0 other organisations)" in r for r in first.routing_reasons)
    assert any("corroboration 10 (1 other organisation)" in r for r in later.routing_reasons)


def test_a_batch_of_one_organisation_still_counts_the_others_before_it(other_ngo_member):
    received(ngo_member_of_new_organisation(), accounts=("named",))
    first, second = (received(other_ngo_member, accounts=("named",)) for _ in range(2))

    assert referral_route_batch(seqs=[first.seq, second.seq]) == 2

    for referral in (first, second):
        referral.refresh_from_db()
        assert any("corroboration 10 (1 other organisation)" in r for r in referral.routing_reasons)


def test_a_rule_boost_adds_to_the_priority(other_ngo_member):
    from referrals.models import RoutingRule

    RoutingRule.objects.filter(queue__slug="general").update(priority_boost=5)

    assert routed(other_ngo_member).priority == 25


def test_removal_orders_and_imminent_referrals_are_due_sixty_minutes_after_receipt(liaison, other_ngo_member):
    order = routed(liaison, "removal_order", severity="low")
    imminent = routed(other_ngo_member, severity="imminent")

    assert order.due_at == order.received_at + timedelta(minutes=60)
    assert imminent.due_at == imminent.received_at + timedelta(minutes=60)


def test_other_referrals_are_due_after_their_queue_sla(liaison, other_ngo_member):
    notice = routed(other_ngo_member)
    preservation = routed(liaison, "preservation_request")

    assert notice.due_at == notice.received_at + timedelta(hours=72)
    assert preservation.due_at == preservation.received_at + timedelta(hours=24)


def test_routing_writes_one_timeline_event_and_one_audit_entry(other_ngo_member):
    referral = routed(other_ngo_member)

    events = TimelineEvent.objects.filter(referral=referral)
    assert [e.type for e in events] == ["received", "routed"]
    assert events[1].data["queue"] == "general"
    assert AuditEvent.objects.filter(action="referral.route", object_id=str(referral.pk)).count() == 1


def test_a_routing_task_run_twice_routes_once(other_ngo_member):
    referral = received(other_ngo_member)

    route_referrals.apply(args=[[referral.seq]])
    first = Referral.objects.get(pk=referral.pk)
    route_referrals.apply(args=[[referral.seq]])

    again = Referral.objects.get(pk=referral.pk)
    assert again.status == Status.ROUTED
    assert again.routed_at == first.routed_at
    assert TimelineEvent.objects.filter(referral=referral, type="routed").count() == 1


def test_routing_acts_only_on_received_referrals(other_ngo_member):
    referral = received(other_ngo_member)
    Referral.objects.filter(pk=referral.pk).update(status=Status.WITHDRAWN)

    assert referral_route_batch(seqs=[referral.seq]) == 0
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    assert referral.queue is None


def _suspend(subject_account: str, by_referral: Referral):
    now = timezone.now()
    Decision.objects.create(
        referral=by_referral,
        action="account_suspended",
        ground="terms",
        policy="Violent extremism policy",
        statement_of_reasons="The account promotes a designated terrorist organisation.",
        decided_at=now,
    )
    Referral.objects.filter(pk=by_referral.pk).update(status=Status.ACTIONED, decided_at=now, closed_at=now)
    Subject.objects.filter(account=subject_account).update(suspended_at=now, suspended_by=by_referral)


def test_a_notice_about_suspended_accounts_is_closed_as_a_duplicate(ngo_member, other_ngo_member):
    earlier = routed(ngo_member, accounts=("hyper",))
    _suspend("hyper", earlier)

    duplicate = routed(other_ngo_member, accounts=("hyper",))

    assert duplicate.status == Status.DUPLICATE
    assert duplicate.related_id == earlier.pk
    assert duplicate.closed_at is not None
    assert duplicate.assignee is None
    note = TimelineEvent.objects.get(referral=duplicate, type="duplicate")
    # Another organisation's decision: the submitter is not told which (SPEC §4.5); reviewers are.
    assert earlier.reference not in note.message
    assert earlier.reference in note.data["platform_message"]


def test_a_duplicate_of_the_organisations_own_decision_names_it(ngo_member, ngo_admin):
    earlier = routed(ngo_member, accounts=("hyper",))
    _suspend("hyper", earlier)

    duplicate = routed(ngo_admin, accounts=("hyper",))

    assert duplicate.status == Status.DUPLICATE
    assert earlier.reference in TimelineEvent.objects.get(referral=duplicate, type="duplicate").message


def test_a_notice_naming_one_account_not_yet_suspended_is_routed(ngo_member, other_ngo_member):
    earlier = routed(ngo_member, accounts=("hyper",))
    _suspend("hyper", earlier)

    referral = routed(other_ngo_member, accounts=("hyper", "amplifier"))

    assert referral.status == Status.ROUTED


def test_legal_kinds_about_suspended_accounts_still_reach_a_person(ngo_member, liaison):
    earlier = routed(ngo_member, accounts=("hyper",))
    _suspend("hyper", earlier)

    order = routed(liaison, "removal_order", accounts=("hyper",))

    assert order.status == Status.ROUTED
    assert order.queue.slug == "legal-orders"


def test_the_sweeper_reroutes_referrals_received_over_a_minute_ago(other_ngo_member, monkeypatch):
    from portal import queueing
    from portal.celery import app

    # The re-enqueued task runs in-process here, whatever the lane's broker.
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    enqueued = []
    publish = queueing.enqueue
    monkeypatch.setattr(queueing, "enqueue", lambda task, *args: enqueued.append(args) or publish(task, *args))
    now = timezone.now()
    stuck = received(other_ngo_member, received_at=now - timedelta(minutes=2))
    fresh = received(other_ngo_member, received_at=now - timedelta(seconds=10))

    assert referrals_sweep_received(now=now) == 1

    assert enqueued == [([stuck.seq],)]
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == Status.ROUTED
    # The task it sent drains: it takes the fresh one too, as any routing task takes those
    # waiting (`referral_route_batch`), so the fresh one's own task will find nothing to do.
    assert fresh.status == Status.ROUTED


def test_an_organisation_kind_rule_can_route_law_enforcement_referrals(liaison):
    from referrals.models import Queue, RoutingRule

    queue = Queue.objects.get(slug="general")
    RoutingRule.objects.create(order=0, name="All agencies", queue=queue, submitter_kinds=["law_enforcement"])

    referral = routed(liaison, "le_referral")

    assert liaison.membership.organisation.kind == OrganisationKind.LAW_ENFORCEMENT
    assert referral.queue == queue


def test_the_platforms_own_signal_is_no_corroboration(other_ngo_member, reviewer):
    received(reviewer, "signal", accounts=("watched",))
    received(ngo_member_of_new_organisation(), accounts=("watched",))

    referral = routed(other_ngo_member, severity="low", accounts=("watched",))

    # notice 20 + low 0 + one other organisation 10: the signal is the platform's, not a partner's
    assert referral.priority == 30
    assert any("corroboration 10 (1 other organisation)" in r for r in referral.routing_reasons)
