"""A routing batch claims and writes all its referrals in one statement, so its SQL does not
grow with its size, and a referral another run routed first is not written again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from referrals.models import Referral, Status, TimelineEvent
from referrals.review.services.routing import referral_route_batch, referrals_claim_routed
from tests.referrals.review_factories import received

pytestmark = pytest.mark.django_db

# SAVEPOINT (the test's transaction holds the batch's atomic block), the received referrals
# with their organisations, queues, rules, the referrals' subjects, the first referral
# number of the corroboration window, the window's co-naming targets, suspended subjects,
# surfacing's boosts (the subjects each referral names first, the suspended accounts they
# might resemble, near-duplicate media), the active incidents (SPEC §18: none here, so
# nothing more of them), the claim (UPDATE … FROM (VALUES …) RETURNING), the timeline
# entries, the audit entries, RELEASE SAVEPOINT.
BATCH_QUERIES = 16


def _route(seqs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        routed = referral_route_batch(seqs=seqs)
    return routed, len(captured)


def test_a_batch_of_thirty_runs_the_same_queries_as_a_batch_of_three(other_ngo_member):
    small = [received(other_ngo_member, accounts=(f"s{i}",)).seq for i in range(3)]
    large = [received(other_ngo_member, accounts=(f"l{i}", "shared")).seq for i in range(30)]

    assert _route(small) == (3, BATCH_QUERIES)
    assert _route(large) == (30, BATCH_QUERIES)
    assert Referral.objects.filter(status=Status.ROUTED).count() == 33


def test_a_batch_overlapping_one_already_routed_writes_only_the_rest(other_ngo_member):
    first, second, third = (received(other_ngo_member).seq for _ in range(3))
    referral_route_batch(seqs=[second])
    routed_at = Referral.objects.get(seq=second).routed_at

    assert referral_route_batch(seqs=[first, second, third]) == 2

    assert Referral.objects.get(seq=second).routed_at == routed_at
    for seq in (first, second, third):
        assert TimelineEvent.objects.filter(referral_id=seq, type="routed").count() == 1
        assert AuditEvent.objects.filter(action="referral.route", object_id=str(seq)).count() == 1


def test_the_claim_returns_only_referrals_still_received(other_ngo_member):
    waiting, withdrawn = received(other_ngo_member), received(other_ngo_member)
    Referral.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)
    now = waiting.received_at
    fields = {"status": Status.ROUTED, "queue": None, "priority": 7, "due_at": None, "routing_reasons": ["r"]}

    claimed = referrals_claim_routed(
        changes={seq: {**fields, "routed_at": now} for seq in (waiting.seq, withdrawn.seq)}, now=now
    )

    assert claimed == {waiting.seq}
    waiting.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (waiting.status, waiting.priority, waiting.routing_reasons) == (Status.ROUTED, 7, ["r"])
    assert (withdrawn.status, withdrawn.priority) == (Status.WITHDRAWN, 0)
