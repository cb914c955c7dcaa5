"""Surge routing's inputs (SPEC §18): the active incidents as the routing engine's facts, and
how each referral of a routing batch matches them where the engine cannot see it.

The engine matches URLs, subjects and keywords itself (referrals.engine.routing); it is handed
the referrals' normalised targets and, per incident, the words saying how a referral's
evidence matches the incident's, which only the database can tell:

- exactly: a file with the SHA-256 of evidence on a referral already in the incident
  (`Referral.incident`), or of a SHA-256 entry of the incident's imported hash list;
- nearly: an image whose PDQ hash is within PORTAL_NEAR_DUPLICATE_MAX_DISTANCE of an image on
  a referral already in the incident (read through the chunk indexes, as surfacing's lookup
  reads them), or of a PDQ entry of the hash list.

A routing batch loads all of it once. With no active incident that is one query; with some,
the incidents' subjects and the batch's targets, and, when the batch has evidence, its
hashes and the few that match — a fixed number of queries whatever the batch's size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import or_

from django.db.models import Q

from referrals.crisis.selectors import active_incidents
from referrals.engine import normalise
from referrals.engine.routing import IncidentFacts
from referrals.models import Evidence, HashType, Incident, MediaHash, Referral, SharedHash, Target
from referrals.models.surfacing import PDQ_CHUNKS
from referrals.surfacing.services.media import MIN_QUALITY, ball, max_distance

# Parameters per statement, far below every backend's limit: 1,000 SHA-256 values, or the
# chunk values of as many PDQ hashes as fit in 5,000 (16 chunks × 17 values a hash at the
# default distance: 18 hashes; at the largest distance allowed, one hash a statement).
SHA_CHUNK = 1_000
PDQ_PARAMETERS = 5_000

# How a referral's evidence matches, best first: exact before near, the incident's own
# evidence before its imported list, then the smaller distance.
EXACT, NEAR = 0, 1
EVIDENCE, HASH_LIST = 0, 1
_SOURCES = {EVIDENCE: "evidence", HASH_LIST: "hash list"}
_PDQ = re.compile(r"[0-9a-f]{64}")


def _words(how: int, source: int, distance: int) -> str:
    detail = "SHA-256" if how == EXACT else f"PDQ distance {distance}/256"
    return f"evidence matches the incident's {_SOURCES[source]} ({detail})"


@dataclass
class Surge:
    """What routing needs of the active incidents for one batch."""

    incidents: tuple[IncidentFacts, ...] = ()
    ids: dict[str, int] = field(default_factory=dict)  # incident slug → pk
    targets: dict[int, tuple[normalise.Target, ...]] = field(default_factory=dict)  # by referral number
    evidence: dict[int, dict[str, str]] = field(default_factory=dict)  # referral number → {slug: words}

    def incidents_for(self, seq: int) -> tuple[IncidentFacts, ...]:
        found = self.evidence.get(seq)
        if not found:
            return self.incidents
        return tuple(replace(i, evidence_match=found[i.slug]) if i.slug in found else i for i in self.incidents)

    def targets_for(self, seq: int) -> tuple[normalise.Target, ...]:
        return self.targets.get(seq, ())

    def incident_id(self, slug: str | None) -> int | None:
        return self.ids.get(slug) if slug else None


def surge_load(referrals: list[Referral]) -> Surge:
    """The active incidents, and the batch's targets and evidence matches when there are any."""
    active = list(
        active_incidents().only("pk", "slug", "title", "level", "keywords", "targets", "declared_at", "queue")
    )
    if not active:
        return Surge()
    seqs = [r.seq for r in referrals]
    ids = [incident.pk for incident in active]
    accounts: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for incident_id, platform, account in Incident.subjects.through.objects.filter(incident_id__in=ids).values_list(
        "incident_id", "subject__platform", "subject__account"
    ):
        accounts[incident_id].add((platform, account))
    facts = tuple(_facts(incident, accounts[incident.pk]) for incident in active)
    by_pk = {incident.pk: incident.slug for incident in active}
    evidence = {
        seq: {by_pk[incident_id]: _words(*rank) for incident_id, rank in found.items()}
        for seq, found in _evidence_matches(seqs, ids).items()
    }
    return Surge(incidents=facts, ids={i.slug: i.pk for i in active}, targets=_targets(seqs), evidence=evidence)


def _facts(incident: Incident, subjects: set[tuple[str, str]]) -> IncidentFacts:
    targets = [t for t in incident.targets or [] if isinstance(t, dict)]
    return IncidentFacts(
        slug=incident.slug,
        title=incident.title,
        level=incident.level,
        queue=incident.queue.slug,
        declared_at=incident.declared_at,
        keywords=tuple(str(k) for k in incident.keywords or []),
        urls=frozenset(t["url"] for t in targets if t.get("url")),
        contents=frozenset(
            (t["platform"], t.get("account") or "", t["content_id"]) for t in targets if t.get("content_id")
        ),
        # Its subjects, and the accounts of its URLs (which are its subjects when it is declared).
        accounts=frozenset(subjects | {(t["platform"], t["account"]) for t in targets if t.get("account")}),
    )


def _targets(seqs: list[int]) -> dict[int, tuple[normalise.Target, ...]]:
    found: dict[int, list[normalise.Target]] = defaultdict(list)
    rows = (
        Target.objects.filter(referral_id__in=seqs)
        .order_by("referral_id", "position")
        .values_list("referral_id", "platform", "account", "content_id", "url")
    )
    for seq, platform, account, content_id, url in rows:
        found[seq].append(normalise.Target(platform=platform, account=account, content_id=content_id, url=url))
    return {seq: tuple(targets) for seq, targets in found.items()}


def _chunks(values: Iterable, size: int) -> Iterable[list]:
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _evidence_matches(seqs: list[int], incident_ids: list[int]) -> dict[int, dict[int, tuple[int, int, int]]]:
    """{referral number: {incident pk: (EXACT|NEAR, EVIDENCE|HASH_LIST, distance)}}, the best
    match of each referral's evidence with each incident's."""
    rows = list(
        Evidence.objects.filter(referral_id__in=seqs).values_list(
            "referral_id", "sha256", "media_hash__pdq", "media_hash__quality"
        )
    )
    if not rows:
        return {}
    shas = {sha for _, sha, _, _ in rows if sha}
    pdqs = {pdq for _, _, pdq, quality in rows if pdq and (quality or 0) >= MIN_QUALITY}
    # ("sha256" | "pdq", hash) → {incident pk: rank}
    best: dict[tuple[str, str], dict[int, tuple[int, int, int]]] = defaultdict(dict)

    def found(key: tuple[str, str], incident_id: int, rank: tuple[int, int, int]) -> None:
        if incident_id not in best[key] or rank < best[key][incident_id]:
            best[key][incident_id] = rank

    for chunk in _chunks(shas, SHA_CHUNK):
        in_incidents = Evidence.objects.filter(sha256__in=chunk, referral__incident_id__in=incident_ids)
        for sha, incident_id in in_incidents.values_list("sha256", "referral__incident_id").distinct():
            found((HashType.SHA256, sha), incident_id, (EXACT, EVIDENCE, 0))
    listed = [Q(hash_type=HashType.SHA256, hash__in=chunk) for chunk in _chunks(shas, SHA_CHUNK)]
    if pdqs:
        listed.append(Q(hash_type=HashType.PDQ))
    shared_pdqs: list[tuple[int, str]] = []
    if listed:
        rows_listed = SharedHash.objects.filter(reduce(or_, listed), incident_id__in=incident_ids)
        for incident_id, hash_type, value in rows_listed.values_list("incident_id", "hash_type", "hash"):
            if hash_type == HashType.SHA256:
                found((HashType.SHA256, value), incident_id, (EXACT, HASH_LIST, 0))
            elif _PDQ.fullmatch(value):
                shared_pdqs.append((incident_id, value))
    if pdqs:
        distance = max_distance()
        group_size = max(1, PDQ_PARAMETERS // (PDQ_CHUNKS * len(ball(0, distance // PDQ_CHUNKS))))
        for group in _chunks(pdqs, group_size):
            for pdq, other, incident_id in _near_in_incidents(group, incident_ids, distance):
                found((HashType.PDQ, pdq), incident_id, (NEAR, EVIDENCE, _distance(pdq, other)))
        for pdq, other, incident_id in _near_in_list(pdqs, shared_pdqs, distance):
            found((HashType.PDQ, pdq), incident_id, (NEAR, HASH_LIST, _distance(pdq, other)))

    matches: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for seq, sha, pdq, _quality in rows:
        for key in ((HashType.SHA256, sha), (HashType.PDQ, pdq)):
            for incident_id, rank in best.get(key, {}).items():
                if incident_id not in matches[seq] or rank < matches[seq][incident_id]:
                    matches[seq][incident_id] = rank
    return {seq: by_incident for seq, by_incident in matches.items() if by_incident}


def _distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _near_in_incidents(pdqs: list[str], incident_ids: list[int], distance: int):
    """(query hash, image hash, incident) for the incidents' images within `distance` of one of
    `pdqs`: one read through the chunk indexes for the whole group (see surfacing's lookup)."""
    radius = distance // PDQ_CHUNKS
    values: list[set[int]] = [set() for _ in range(PDQ_CHUNKS)]
    queries = []
    for pdq in pdqs:
        queries.append((pdq, int(pdq, 16)))
        for i, value in enumerate(MediaHash.chunks_of(pdq).values()):
            values[i].update(ball(value, radius))
    near = reduce(or_, (Q(**{f"c{i}__in": sorted(v)}) for i, v in enumerate(values)))
    rows = MediaHash.objects.filter(
        near, quality__gte=MIN_QUALITY, evidence__referral__incident_id__in=incident_ids
    ).values_list("pdq", "evidence__referral__incident_id")
    for other, incident_id in rows:
        other_bits = int(other, 16)
        for pdq, bits in queries:
            if (bits ^ other_bits).bit_count() <= distance:
                yield pdq, other, incident_id


def _near_in_list(pdqs: set[str], listed: list[tuple[int, str]], distance: int):
    """(query hash, listed hash, incident) for the listed PDQ hashes within `distance` of one of
    `pdqs`, found as the database finds images: by the chunk values within r bits, here in a
    dictionary, so a list of a hundred thousand hashes costs no more per image than a short one."""
    if not listed:
        return
    radius = distance // PDQ_CHUNKS
    by_chunk: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for incident_id, value in listed:
        for i, chunk in enumerate(MediaHash.chunks_of(value).values()):
            by_chunk[(i, chunk)].append((incident_id, value))
    for pdq in pdqs:
        bits = int(pdq, 16)
        candidates = {
            hit
            for i, chunk in enumerate(MediaHash.chunks_of(pdq).values())
            for value in ball(chunk, radius)
            for hit in by_chunk.get((i, value), ())
        }
        for incident_id, value in candidates:
            if (bits ^ int(value, 16)).bit_count() <= distance:
                yield pdq, value, incident_id
