"""The near-duplicate lookup (SPEC §14): hashes within the distance of evidence on actioned
referrals, found through the 16 chunk indexes without reading every hash."""

import random
import uuid

import pytest

from referrals.models import Evidence, MediaHash, Referral, Status
from referrals.surfacing.services.media import (
    MIN_QUALITY,
    ball,
    hamming,
    near_duplicate_candidates,
    near_duplicates,
    near_duplicates_brute_force,
)
from tests.referrals.review_factories import decided, received

pytestmark = pytest.mark.django_db

QUERY = "0123456789abcdef" * 4


def flipped(pdq: str, bits_per_chunk: list[int]) -> str:
    """`pdq` with bits_per_chunk[i] bits of chunk i flipped (its lowest bits)."""
    value = int(pdq, 16)
    for chunk, flips in enumerate(bits_per_chunk):
        shift = (15 - chunk) * 16
        value ^= ((1 << flips) - 1) << shift
    return f"{value:064x}"


def spread(distance: int) -> list[int]:
    """Bits per chunk adding up to `distance`, as evenly as possible: the hardest case for the
    pigeonhole (31 = fifteen chunks of 2 bits and one of 1)."""
    return [distance // 16 + (1 if i < distance % 16 else 0) for i in range(16)]


def store(referral: Referral, pdq: str, quality: int = 100) -> MediaHash:
    token = uuid.uuid4().hex
    evidence = Evidence.objects.create(
        referral=referral,
        original_name="poster.png",
        stored_name=f"{token[:2]}/{token}",
        content_type="image/png",
        size=1,
        sha256=token * 2,
    )
    return MediaHash.objects.create(evidence=evidence, pdq=pdq, quality=quality, **MediaHash.chunks_of(pdq))


@pytest.fixture
def actioned(lead, ngo_member) -> Referral:
    referral = decided(lead, ngo_member, accounts=("poster",))
    assert referral.status == Status.ACTIONED
    return referral


def test_the_radius_ball_holds_every_value_within_r_bits():
    assert ball(0, 0) == [0]
    assert sorted(ball(0, 1)) == sorted([0] + [1 << i for i in range(16)])
    for radius, size in [(1, 17), (2, 137), (3, 697)]:
        values = ball(0xBEEF, radius)
        assert len(values) == len(set(values)) == size
        assert all((v ^ 0xBEEF).bit_count() <= radius for v in values)


def test_a_hash_31_bits_away_spread_over_every_chunk_is_found(actioned):
    near = store(actioned, flipped(QUERY, spread(31)))
    assert hamming(QUERY, near.pdq) == 31

    assert [(hit.pk, d) for hit, d in near_duplicates(QUERY)] == [(near.pk, 31)]


def test_a_hash_32_bits_away_is_not_found_at_the_default_distance(actioned):
    store(actioned, flipped(QUERY, spread(32)))

    assert near_duplicates(QUERY) == []
    assert len(near_duplicates(QUERY, max_distance=32)) == 1  # radius 2: read through other values


def test_a_hash_80_bits_away_is_not_found(actioned):
    store(actioned, flipped(QUERY, spread(80)))

    assert near_duplicates(QUERY) == []
    assert list(near_duplicate_candidates(QUERY)) == []


def test_the_distance_follows_the_setting(actioned, settings):
    store(actioned, flipped(QUERY, spread(20)))
    settings.PORTAL_NEAR_DUPLICATE_MAX_DISTANCE = 19

    assert near_duplicates(QUERY) == []

    settings.PORTAL_NEAR_DUPLICATE_MAX_DISTANCE = 20
    assert [d for _, d in near_duplicates(QUERY)] == [20]


def test_the_nearest_comes_first_with_its_evidence_and_referral(actioned):
    far = store(actioned, flipped(QUERY, spread(25)))
    same = store(actioned, QUERY)
    near = store(actioned, flipped(QUERY, spread(3)))

    found = near_duplicates(QUERY)

    assert [(hit.pk, d) for hit, d in found] == [(same.pk, 0), (near.pk, 3), (far.pk, 25)]
    assert found[0][0].evidence.referral.reference == actioned.reference


def test_only_evidence_of_actioned_referrals_is_matched(actioned, ngo_member):
    pending = received(ngo_member, accounts=("pending",))
    mine = store(pending, QUERY)

    assert near_duplicates(QUERY) == []
    assert [hit.pk for hit, _ in near_duplicates(QUERY, actioned_only=False)] == [mine.pk]
    assert near_duplicates(QUERY, actioned_only=False, exclude_referral=pending) == []


def test_hashes_of_too_low_a_quality_are_never_matched(actioned):
    store(actioned, QUERY, quality=MIN_QUALITY - 1)

    assert near_duplicates(QUERY) == []


@pytest.mark.parametrize("bad", ["", "xyz", "0" * 63, "g" * 64])
def test_a_malformed_hash_is_refused(bad):
    with pytest.raises(ValueError):
        near_duplicates(bad)


@pytest.mark.parametrize("distance", [-1, 64])
def test_a_distance_outside_0_to_63_is_refused(distance):
    with pytest.raises(ValueError):
        near_duplicates(QUERY, max_distance=distance)


def test_the_lookup_reads_only_rows_sharing_a_chunk_and_agrees_with_a_full_scan(actioned):
    rng = random.Random(16)
    evidence = Evidence.objects.bulk_create(
        Evidence(
            referral=actioned,
            original_name=f"{n}.png",
            stored_name=f"bulk/{n}",
            content_type="image/png",
            size=1,
            sha256=f"{n:064x}",
        )
        for n in range(2000)
    )
    hashes = [f"{rng.getrandbits(256):064x}" for _ in evidence]
    MediaHash.objects.bulk_create(
        MediaHash(evidence=e, pdq=pdq, quality=100, **MediaHash.chunks_of(pdq))
        for e, pdq in zip(evidence, hashes, strict=True)
    )
    planted = {store(actioned, flipped(QUERY, spread(d))).pk: d for d in (0, 9, 17, 31)}
    store(actioned, flipped(QUERY, spread(32)))
    assert MediaHash.objects.count() == 2005

    candidates = list(near_duplicate_candidates(QUERY))
    found = near_duplicates(QUERY)

    # 2,005 rows; a random hash shares one of 17 values in one of 16 chunks with odds of about
    # 16 × 17 / 65,536, so a handful besides the planted ones.
    assert len(candidates) < 40
    assert {hit.pk: d for hit, d in found} == planted
    assert [(pk, d) for pk, d in near_duplicates_brute_force(QUERY)] == sorted(planted.items(), key=lambda i: i[1])
    for pdq in rng.sample(hashes, 20):  # any hash finds itself, and what the full scan finds
        assert [(hit.pdq, d) for hit, d in near_duplicates(pdq)][:1] == [(pdq, 0)]
        assert {hit.pk for hit, _ in near_duplicates(pdq)} == {pk for pk, _ in near_duplicates_brute_force(pdq)}
