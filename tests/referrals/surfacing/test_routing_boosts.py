"""What surfacing adds when a referral is routed (SPEC §14): 15 priority points and a reason
for naming a new look-alike of a suspended account, and for near-duplicate media."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.intake.services.evidence import evidence_inspect_all
from referrals.models import Kind, MediaMatch, Referral
from referrals.review.services.routing import _subjects_by_referral, referral_route_batch
from referrals.surfacing.services.boosts import SURFACING_POINTS, routing_boosts
from referrals.surfacing.services.lookalike_job import lookalike_job_create, lookalike_job_run
from tests.referrals.evidence_files import png_bytes, upload
from tests.referrals.review_factories import decided, received

pytestmark = pytest.mark.django_db

SUSPENDED = "abu_muhammad_al_britani"
LOOKALIKE = "abu.muhammad.al.britanii"  # 87 %
LOOKALIKE_REASON = (
    f"Look-alike of a suspended account: handle '{LOOKALIKE}' is 87 % similar to suspended x · {SUSPENDED}"
)
BASE = 20  # a notice (20) of low severity (0) from an organisation that is no trusted flagger


def route(*referrals) -> list[Referral]:
    referral_route_batch(seqs=[r.seq for r in referrals])
    return [Referral.objects.get(pk=r.pk) for r in referrals]


@pytest.fixture
def suspended(lead, ngo_member):
    return decided(lead, ngo_member, accounts=(SUSPENDED,))


def test_a_referral_naming_a_new_look_alike_gets_fifteen_points_and_a_reason(other_ngo_member, suspended):
    lookalike = received(other_ngo_member, accounts=("bystander", LOOKALIKE))
    unrelated = received(other_ngo_member, accounts=("garden_friends",))

    lookalike, unrelated = route(lookalike, unrelated)

    assert SURFACING_POINTS == 15
    assert (unrelated.priority, lookalike.priority) == (BASE, BASE + 15)
    assert LOOKALIKE_REASON in lookalike.routing_reasons
    assert lookalike.routing_reasons[-2].endswith("+ boost 0 + surfacing 15")
    assert not any("Look-alike" in reason for reason in unrelated.routing_reasons)


def test_only_the_referral_that_names_the_account_first_gets_the_points(other_ngo_member, ngo_member, suspended):
    first = received(other_ngo_member, accounts=(LOOKALIKE,))
    same_batch = received(other_ngo_member, accounts=(LOOKALIKE,))
    [first, same_batch] = route(first, same_batch)
    [later] = route(received(ngo_member, accounts=(LOOKALIKE,), category="other"))

    assert first.priority == BASE + 15
    assert same_batch.priority == BASE
    assert not any("Look-alike" in reason for reason in same_batch.routing_reasons + later.routing_reasons)


def test_signals_get_no_points_and_the_account_they_named_is_not_new_any_more(reviewer, other_ngo_member, suspended):
    job = lookalike_job_create(user=reviewer, accounts=[{"platform": "x", "account": LOOKALIKE}])
    lookalike_job_run(job_id=job.id)
    signal = Referral.objects.get(kind=Kind.SIGNAL)

    [signal] = route(signal)
    [notice] = route(received(other_ngo_member, accounts=(LOOKALIKE,)))

    assert signal.queue.slug == "surfaced"
    assert signal.priority == 30 + 20  # kind signal, severity medium
    assert not any("Look-alike" in reason or "surfacing" in reason for reason in signal.routing_reasons)
    assert not any("Look-alike" in reason or "surfacing" in reason for reason in notice.routing_reasons)


def test_an_account_that_resembles_nothing_suspended_gets_nothing(other_ngo_member):
    [referral] = route(received(other_ngo_member, accounts=(LOOKALIKE,)))

    assert referral.priority == BASE


def images(name="poster.png"):
    return evidence_inspect_all([upload(name, png_bytes(), "image/png")])


def test_a_partner_s_referral_with_near_duplicate_media_gets_fifteen_points(lead, ngo_member, other_ngo_member):
    earlier = decided(
        lead, ngo_member, accounts=("poster_one",), evidence=images(), decision={"action": "content_removed"}
    )
    again = received(other_ngo_member, accounts=("poster_two",), evidence=images())
    # Surfacing's media service records the match at upload; get_or_create keeps this test apart from it.
    match, _ = MediaMatch.objects.get_or_create(
        evidence=again.evidence.get(), earlier=earlier.evidence.get(), defaults={"distance": 12}
    )

    [again] = route(again)

    assert again.priority == BASE + 15
    assert (
        f"Near-duplicate media: evidence matches evidence on {earlier.reference} (distance {match.distance}/256)"
        in again.routing_reasons
    )


def test_a_look_alike_with_near_duplicate_media_gets_both(lead, ngo_member, other_ngo_member, suspended):
    earlier = decided(
        lead, ngo_member, accounts=("poster_one",), evidence=images(), decision={"action": "content_removed"}
    )
    again = received(other_ngo_member, accounts=(LOOKALIKE,), evidence=images())
    MediaMatch.objects.get_or_create(
        evidence=again.evidence.get(), earlier=earlier.evidence.get(), defaults={"distance": 3}
    )

    [again] = route(again)

    assert again.priority == BASE + 30
    assert sum("surfacing 30" in reason for reason in again.routing_reasons) == 1


def test_the_boosts_of_thirty_referrals_cost_the_queries_of_three(other_ngo_member, suspended):
    def queries(n):
        referrals = [
            received(other_ngo_member, accounts=(f"{LOOKALIKE}_{n * 100 + i}", f"new{n}_{i}")) for i in range(n)
        ]
        subjects = _subjects_by_referral(r.seq for r in referrals)
        with CaptureQueriesContext(connection) as captured:
            boosts = routing_boosts(referrals, subjects)
        return len(captured), len(boosts)

    # The subjects named first; the suspended accounts they might resemble (SQLite: those of
    # their platforms, then the ones resembled; PostgreSQL: the threshold, then the lookup);
    # near-duplicate media.
    assert queries(3) == (4, 3)
    assert queries(30) == (4, 30)
