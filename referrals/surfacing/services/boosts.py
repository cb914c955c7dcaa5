"""What surfacing adds to a referral's priority when it is routed (SPEC §14).

- A look-alike: an account that an ordinary referral names for the first time (no referral
  with a lower number names it) and that resembles a suspended account of its platform, as
  the look-alike detector would find it.
- Near-duplicate media: evidence of the referral near evidence of an actioned referral
  (`MediaMatch`, recorded when the image was uploaded).

Each adds SURFACING_POINTS once, with a reason the routing engine appends to the others.
Signals get neither: they were raised by a detector, or by a person, already. A batch costs a
fixed number of queries whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import OuterRef, Subquery

from referrals.engine.routing import Boost
from referrals.models import Kind, MediaMatch, Referral, Subject, Target
from referrals.surfacing.services.lookalike import Candidate, lookalikes

SURFACING_POINTS = 15


def routing_boosts(referrals: Iterable[Referral], subjects_by_seq: Mapping[int, set]) -> dict[int, tuple[Boost, ...]]:
    """{referral number: its boosts} for the referrals of a routing batch (those without any
    are left out); `subjects_by_seq` holds each referral's subject ids."""
    ordinary = [r for r in referrals if r.kind != Kind.SIGNAL]
    if not ordinary:
        return {}
    boosts: dict[int, list[Boost]] = defaultdict(list)
    for seq, boost in _lookalike_boosts(ordinary, subjects_by_seq).items():
        boosts[seq].append(boost)
    for seq, boost in _media_boosts(ordinary).items():
        boosts[seq].append(boost)
    return {seq: tuple(found) for seq, found in boosts.items()}


def _lookalike_boosts(referrals: list[Referral], subjects_by_seq: Mapping[int, set]) -> dict[int, Boost]:
    seqs = {r.seq for r in referrals}
    ids = {s for seq in seqs for s in subjects_by_seq.get(seq, ())}
    if not ids:
        return {}
    # The first referral naming each subject: one probe of the (subject, referral) index per
    # subject, so an account named by thousands of referrals costs no more than a new one.
    first = Target.objects.filter(subject_id=OuterRef("pk")).order_by("referral_id").values("referral_id")[:1]
    new = [
        s
        for s in Subject.objects.filter(pk__in=ids, suspended_at__isnull=True)
        .only("id", "platform", "account", "display_name")
        .annotate(first_seq=Subquery(first))
        .order_by("pk")
        if s.first_seq in seqs
    ]
    if not new:
        return {}
    candidates = [Candidate(s.platform, s.account, s.display_name) for s in new]
    boosts = {}
    for subject, matches in zip(new, lookalikes(candidates), strict=True):
        if not matches:
            continue
        best = matches[0]
        current = boosts.get(subject.first_seq)
        if current is None or best.score > current[0]:
            boosts[subject.first_seq] = (best.score, f"Look-alike of a suspended account: {best.reason}")
    return {seq: Boost(SURFACING_POINTS, reason) for seq, (_score, reason) in boosts.items()}


def _media_boosts(referrals: list[Referral]) -> dict[int, Boost]:
    boosts = {}
    matches = (
        MediaMatch.objects.filter(evidence__referral_id__in=[r.seq for r in referrals])
        .select_related("evidence", "earlier__referral")
        .only("distance", "evidence__referral", "earlier__referral__seq", "earlier__referral__received_at")
        .order_by("distance", "pk")
    )
    for match in matches:
        seq = match.evidence.referral_id
        if seq not in boosts:  # the nearest
            boosts[seq] = Boost(
                SURFACING_POINTS,
                f"Near-duplicate media: evidence matches evidence on {match.earlier.referral.reference}"
                f" (distance {match.distance}/256)",
            )
    return boosts
