"""Near-duplicate media (SPEC §14): the PDQ hash of every image evidence, the lookup of
hashes near one, and what a match does.

Hashing. PDQ (256 bits) on the first frame, turned upright, at most 512 pixels a side: the
hash of a photograph barely moves with the size it is computed at, and a full-size camera
image costs a second of CPU where the reduced one costs milliseconds. An image that cannot
be decoded, or that claims more pixels than Pillow's decompression-bomb limit, gets no hash
and its upload goes on. Hashes below PDQ's quality 50 (flat or nearly empty images, which all
hash alike) are kept but never matched, as PDQ's authors advise.

Lookup. A hash is kept as 16 indexed chunks of 16 bits (`MediaHash.c0` … `c15`). Two hashes
within distance d differ in at most r = d // 16 bits of at least one chunk (otherwise every
chunk differs in r + 1 bits or more, 16·(r + 1) > d in all), so the candidates are the rows
where some chunk equals one of the values within r bits of the query's chunk: one indexed
`c0 IN (…) OR c1 IN (…) …` (17 values a chunk for the default d = 31). Only those rows are
read; their exact distance is counted in Python, and only the ones within d are then joined
to their referral.

A match is recorded (`MediaMatch`) when image evidence is stored on any referral; reviewers see
it beside the evidence. On a partner's referral it is worth NEAR_MATCH_POINTS priority points
once: routing counts the matches of evidence filed with the referral; this module adds them
for evidence that arrives after routing.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from functools import reduce
from itertools import combinations
from operator import or_

import numpy as np
import pdqhash
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from PIL import Image, ImageOps

from portal.audit import audit, audit_entry, audit_many
from referrals.models import Evidence, Kind, MediaHash, MediaMatch, Referral, Status
from referrals.models.surfacing import PDQ_CHUNK_BITS, PDQ_CHUNKS
from referrals.surfacing.permissions import can_see_surfacing

logger = logging.getLogger(__name__)

# The evidence types that are images, and the only decoders Pillow may use for them.
HASHABLE = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
HASH_SIDE = 512
MIN_QUALITY = 50
MAX_SETTING = 63  # a larger distance would match unrelated images and read most of the index
NEAR_MATCH_POINTS = 15
# A referral a later match still moves up: routed and not yet decided.
BOOSTABLE = frozenset({Status.ROUTED, Status.IN_REVIEW, Status.NEEDS_INFO})
# Shared with the reason routing gives (surfacing.services.boosts), so either counts once.
REASON_PREFIX = "Near-duplicate media: "
_HEX = re.compile(r"[0-9a-f]{64}")


class ImageUnreadable(ValueError):
    """The file could not be decoded as an image within the limits."""


@dataclass(frozen=True)
class Pdq:
    hex: str  # 64 hexadecimal digits, most significant bit first
    quality: int  # 0-100


# --- Hashing ------------------------------------------------------------------------------------


def bits_to_hex(bits) -> str:
    """PDQ's bit vector (256 values 0/1, most significant first) as 64 hexadecimal digits."""
    return f"{int(''.join('1' if b else '0' for b in bits), 2):064x}"


def pdq_compute(source) -> Pdq:
    """The PDQ hash of the image in `source` (a path or an open file); raises ImageUnreadable."""
    try:
        with warnings.catch_warnings():
            # Past Pillow's pixel limit an image is treated as a decompression bomb, not read.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=FORMATS) as image:
                image.draft("RGB", (HASH_SIDE * 2, HASH_SIDE * 2))  # JPEG: decode at a fraction
                image.seek(0)  # the first frame of an animation
                try:
                    upright = ImageOps.exif_transpose(image)
                except Exception:  # a damaged EXIF block: keep the image as stored
                    upright = image
                rgb = upright.convert("RGB")
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError, Warning) as exc:
        raise ImageUnreadable(str(exc)) from exc
    rgb.thumbnail((HASH_SIDE, HASH_SIDE))
    bits, quality = pdqhash.compute(np.asarray(rgb, dtype=np.uint8))
    return Pdq(hex=bits_to_hex(bits), quality=int(quality))


def pdq_of(source, *, evidence_id=None) -> Pdq | None:
    """`pdq_compute`, or None (logged) when the image cannot be read."""
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        return pdq_compute(source)
    except ImageUnreadable as exc:
        logger.warning("No PDQ hash for evidence %s: %s", evidence_id, exc)
        return None


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


# --- Lookup -------------------------------------------------------------------------------------


def max_distance() -> int:
    return settings.PORTAL_NEAR_DUPLICATE_MAX_DISTANCE


def ball(value: int, radius: int, bits: int = PDQ_CHUNK_BITS) -> list[int]:
    """Every `bits`-bit value within `radius` bit flips of `value`, `value` first."""
    values = [value]
    for flips in range(1, radius + 1):
        for positions in combinations(range(bits), flips):
            values.append(value ^ sum(1 << p for p in positions))
    return values


def _checked(pdq_hex: str, distance: int | None) -> tuple[str, int]:
    pdq_hex = (pdq_hex or "").strip().lower()
    if not _HEX.fullmatch(pdq_hex):
        raise ValueError("A PDQ hash is 64 hexadecimal digits")
    distance = max_distance() if distance is None else distance
    if not 0 <= distance <= MAX_SETTING:
        raise ValueError(f"The distance must be between 0 and {MAX_SETTING}")
    return pdq_hex, distance


def near_duplicate_candidates(pdq_hex: str, *, max_distance: int | None = None):
    """(pk, pdq) of the matchable hashes sharing a chunk within r bits of the
    query's: a superset of those within the distance, read through the chunk indexes."""
    pdq_hex, distance = _checked(pdq_hex, max_distance)
    radius = distance // PDQ_CHUNKS
    chunks = MediaHash.chunks_of(pdq_hex)
    near = reduce(or_, (Q(**{f"{name}__in": ball(value, radius)}) for name, value in chunks.items()))
    return MediaHash.objects.filter(near, quality__gte=MIN_QUALITY).values_list("pk", "pdq")


def near_duplicates(
    pdq_hex: str, *, max_distance: int | None = None, actioned_only: bool = True, exclude_referral=None
) -> list[tuple[MediaHash, int]]:
    """Image evidence whose hash is within `max_distance` (the setting by default) of
    `pdq_hex`, as (MediaHash with its evidence and referral, distance), nearest first.

    `actioned_only` keeps evidence of referrals decided `actioned`; `exclude_referral` (a
    referral or its pk) leaves out that referral's own evidence. Two queries: the candidates
    through the chunk indexes, then the few within the distance with their referrals.
    """
    pdq_hex, distance = _checked(pdq_hex, max_distance)
    query = int(pdq_hex, 16)
    near = {}
    for pk, other in near_duplicate_candidates(pdq_hex, max_distance=distance):
        d = (query ^ int(other, 16)).bit_count()
        if d <= distance:
            near[pk] = d
    if not near:
        return []
    rows = MediaHash.objects.filter(pk__in=list(near)).select_related("evidence__referral")
    if actioned_only:
        rows = rows.filter(evidence__referral__status=Status.ACTIONED)
    if exclude_referral is not None:
        rows = rows.exclude(evidence__referral_id=getattr(exclude_referral, "pk", exclude_referral))
    found = [(row, near[row.pk]) for row in rows]
    found.sort(key=lambda item: (item[1], item[0].evidence.uploaded_at, item[0].pk))
    return found


def near_duplicates_brute_force(pdq_hex: str, *, max_distance: int | None = None) -> list[tuple[int, int]]:
    """(MediaHash pk, distance) by reading every hash: the baseline the benchmark compares with."""
    pdq_hex, distance = _checked(pdq_hex, max_distance)
    query = int(pdq_hex, 16)
    found = []
    for pk, other in MediaHash.objects.filter(quality__gte=MIN_QUALITY).values_list("pk", "pdq").iterator(10_000):
        d = (query ^ int(other, 16)).bit_count()
        if d <= distance:
            found.append((pk, d))
    return sorted(found, key=lambda item: (item[1], item[0]))


# --- Recording matches --------------------------------------------------------------------------


def near_match_reason(reference: str, distance: int) -> str:
    """The routing reason of a match found after routing, in the words routing uses for one
    found before (routing reasons are English, like the engine's)."""
    return (
        f"{REASON_PREFIX}evidence added after routing matches evidence on {reference} "
        f"(distance {distance}/256): +{NEAR_MATCH_POINTS} priority"
    )


def media_hash_record(*, evidence: Evidence, pdq: Pdq) -> MediaHash:
    return MediaHash.objects.create(evidence=evidence, pdq=pdq.hex, quality=pdq.quality, **MediaHash.chunks_of(pdq.hex))


def evidence_media_record(*, referral: Referral, stored: list[tuple[Evidence, object]], user, request=None) -> dict:
    """For image evidence just stored on `referral` (each row with its uploaded file): hash it,
    record its near matches of evidence on actioned referrals, and, for evidence that comes to
    a partner's referral after routing, add the points once. Inside the caller's transaction;
    an image that cannot be read is stored without a hash. Returns {evidence id: Pdq} of the
    images hashed (for the shared hash lists of crisis mode)."""
    found: list[MediaMatch] = []
    hashed: dict = {}
    for row, upload in stored:
        if row.content_type not in HASHABLE:
            continue
        pdq = pdq_of(upload, evidence_id=row.pk)
        if pdq is None:
            continue
        media_hash_record(evidence=row, pdq=pdq)
        hashed[row.pk] = pdq
        if pdq.quality < MIN_QUALITY:
            continue
        # `hit.evidence.referral` is loaded already: the reason and the audit name it.
        matches = [
            MediaMatch(evidence=row, earlier=hit.evidence, distance=d)
            for hit, d in near_duplicates(pdq.hex, exclude_referral=referral.pk)
        ]
        MediaMatch.objects.bulk_create(matches)
        found.extend(matches)
    if not found:
        return hashed
    audit_many(
        audit_entry(
            "evidence.near_match",
            actor=user,
            obj=match.evidence,
            organisation=referral.organisation,
            request=request,
            referral=referral.reference,
            earlier=str(match.earlier_id),
            earlier_referral=match.earlier.referral.reference,
            distance=match.distance,
        )
        for match in found
    )
    if referral.status in BOOSTABLE and referral.kind != Kind.SIGNAL:
        best = min(found, key=lambda m: m.distance)
        fresh = [row.pk for row, _upload in stored]
        referral_near_match_boost(referral=referral, match=best, fresh=fresh, by=user, request=request)
    return hashed


@transaction.atomic
def referral_near_match_boost(*, referral: Referral, match: MediaMatch, fresh=(), by=None, request=None) -> bool:
    """Add NEAR_MATCH_POINTS to a routed, undecided partner's referral for a near match found
    after routing, once per referral: not when a file stored before the `fresh` ones (those
    of this upload) matched already, as routing or an earlier upload counted that one.
    Returns whether the points were added."""
    referral = Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)
    if referral.status not in BOOSTABLE or referral.kind == Kind.SIGNAL:
        return False
    counted = any(str(reason).startswith(REASON_PREFIX) for reason in referral.routing_reasons or [])
    earlier_match = (
        MediaMatch.objects.filter(evidence__referral_id=referral.pk)
        .exclude(evidence_id__in=[match.evidence_id, *fresh])
        .exists()
    )
    if counted or earlier_match:
        return False
    reason = near_match_reason(match.earlier.referral.reference, match.distance)
    referral.priority += NEAR_MATCH_POINTS
    referral.routing_reasons = [*(referral.routing_reasons or []), reason]
    referral.save(update_fields=["priority", "routing_reasons", "updated_at"])
    audit(
        "referral.near_match_boost",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        reference=referral.reference,
        points=NEAR_MATCH_POINTS,
        earlier_referral=match.earlier.referral.reference,
        distance=match.distance,
        priority=referral.priority,
    )
    return True


# --- Reads ----------------------------------------------------------------------------------------


def near_matches_by_evidence(user, evidence_ids) -> dict:
    """{evidence id: [MediaMatch with its earlier evidence's referral], nearest first} for
    platform roles; {} for anyone else (matches never reach a partner). One query."""
    if not can_see_surfacing(user) or not evidence_ids:
        return {}
    shown: dict = {}
    rows = MediaMatch.objects.filter(evidence_id__in=list(evidence_ids)).select_related("earlier__referral")
    for match in rows.order_by("distance", "pk"):
        shown.setdefault(match.evidence_id, []).append(match)
    return shown


def evidence_to_hash():
    """Image evidence without a hash whose file is still kept."""
    return Evidence.objects.filter(
        content_type__in=sorted(HASHABLE), file_deleted_at__isnull=True, media_hash__isnull=True
    ).order_by("pk")


@dataclass
class Backfill:
    hashed: int = 0
    unreadable: int = 0
    missing: int = 0


def media_hashes_backfill(*, path_of, batch_size: int = 200) -> Backfill:
    """Hash the image evidence stored before hashing existed (or whose hashing failed), a
    batch per transaction; `path_of(evidence)` is where its file is. Idempotent: evidence
    with a hash is not read again, and a hash written meanwhile by an upload wins. Matches
    are not recorded: they are found when new evidence arrives."""
    done = Backfill()
    after = None
    while True:
        batch = evidence_to_hash()
        if after is not None:
            batch = batch.filter(pk__gt=after)
        batch = list(batch.only("pk", "stored_name")[:batch_size])
        if not batch:
            return done
        after = batch[-1].pk
        rows = []
        for evidence in batch:
            path = path_of(evidence)
            if not path.exists():
                done.missing += 1
                continue
            pdq = pdq_of(path, evidence_id=evidence.pk)
            if pdq is None:
                done.unreadable += 1
                continue
            rows.append(MediaHash(evidence=evidence, pdq=pdq.hex, quality=pdq.quality, **MediaHash.chunks_of(pdq.hex)))
        with transaction.atomic():
            done.hashed += len(MediaHash.objects.bulk_create(rows, ignore_conflicts=True))
