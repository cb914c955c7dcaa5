"""Look-alikes of suspended accounts (SPEC §14): which suspended accounts of the same platform
a handle or a display name resembles, and how much.

Both sides are folded (referrals.engine.folding: case, confusables, separators, a trailing
counter) and compared by trigram similarity; a pair scoring at least
`PORTAL_LOOKALIKE_MIN_SCORE` is a look-alike. No candidate is compared with every suspended
account; the pairs worth scoring come from one of two blocking indexes, which find exactly the
same pairs:

- `SuspendedIndex`, in memory: the platforms' suspended accounts read once and indexed by the
  rarest few trigrams of each ("prefix filtering": two sets of trigrams at least t similar
  share one of their |x| − ⌈t·|x|⌉ + 1 rarest trigrams, in any fixed order), so a candidate
  is scored against the handful of accounts sharing one of its own rarest trigrams (and of a
  size that can be that similar). Reading and indexing 125,000 accounts takes 2.5 to 4 s,
  after which a candidate costs tens of microseconds: the look-alike job builds one per run
  when it has many accounts to check (lookalike_job.INDEX_FROM), and SQLite (the unit tests,
  `make run`) builds one per call.
- On PostgreSQL, for a few candidates (a routing batch, a small job): the GIN trigram indexes
  on `folded_account` and `folded_name` (migration 0012), `%` with the threshold set for the
  transaction. A probe costs about 2 ms for a handle and 13 ms for a display name (whose
  words each bring common trigrams) at 125,000 accounts: 10,000 candidates took 146 s.

Either way each pair found is scored by `folding.score`, so every path finds the same pairs
with the same scores. An empty folded handle (a numeric id) never matches; neither does a pair
without a trigram in common, whatever the threshold.

This module files nothing: the look-alike job raises signals with what it finds, and routing
adds points for it (services.boosts). It does not import services.signals, so routing can
import it without a cycle.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from referrals.engine.folding import fold_handle, fold_name, score
from referrals.models import Category, Referral, Resemblance, Subject

# Floats a hair off a whole number must not move a bound of the in-memory index.
EPSILON = 1e-9
# The in-memory index ranks trigrams by their frequency in one value of this many.
FREQUENCY_SAMPLE = 8
# The suspended accounts a candidate is linked to, best first: enough for a reviewer to see
# the pattern, few enough to read.
MAX_MATCHES = 5
# Candidates per PostgreSQL query: each is one probe of the GIN index inside the query.
LOOKUP_CHUNK = 500
# What the lookup reads of a suspended subject (and what reasons and signals need of it).
SUBJECT_FIELDS = ("id", "platform", "account", "display_name", "folded_account", "folded_name", "suspended_by")


@dataclass(frozen=True)
class Candidate:
    """An account to check: its normalised (platform, account) and what it calls itself."""

    platform: str
    account: str
    display_name: str = ""

    @cached_property
    def folded_account(self) -> str:
        return fold_handle(self.account)

    @cached_property
    def folded_name(self) -> str:
        return fold_name(self.display_name) if self.display_name else ""


@dataclass(frozen=True)
class Resembles:
    """One suspended account a candidate resembles, on one basis (handle or display name)."""

    subject: Subject  # the suspended account (SUBJECT_FIELDS loaded)
    basis: str  # Resemblance.Basis
    score: int  # 0-100
    candidate_value: str  # the candidate's handle or display name, as it was given
    suspended_value: str  # the suspended account's handle or display name
    category: str  # the suspending referral's category, "" when unknown

    @property
    def reason(self) -> str:
        """A sentence for reviewers. Stored English, like routing reasons: it names handles
        and figures, and is kept as evidence of why the signal was raised."""
        suspended = f"{self.subject.platform} · {self.subject.account}"
        if self.basis == Resemblance.Basis.HANDLE:
            return f"handle '{self.candidate_value}' is {self.score} % similar to suspended {suspended}"
        return (
            f"display name '{self.candidate_value}' is {self.score} % similar to suspended {suspended}"
            f" ('{self.suspended_value}')"
        )


def min_score() -> int:
    return settings.PORTAL_LOOKALIKE_MIN_SCORE


def lookalikes(
    candidates: Sequence[Candidate], *, threshold: int | None = None, index: SuspendedIndex | None = None
) -> list[list[Resembles]]:
    """For each candidate (in order), the suspended accounts of its platform it resembles with
    a score of at least `threshold` (default PORTAL_LOOKALIKE_MIN_SCORE), best first, at most
    MAX_MATCHES. `index`, when given, holds the candidates' platforms' suspended accounts (see
    SuspendedIndex); otherwise PostgreSQL's trigram indexes are asked, or one is built.
    A fixed number of queries however many candidates (PostgreSQL: per LOOKUP_CHUNK)."""
    threshold = min_score() if threshold is None else threshold
    found: list[list[Resembles]] = [[] for _ in candidates]
    wanted = [i for i, c in enumerate(candidates) if c.folded_account or c.folded_name]
    if not wanted:
        return found
    if index is not None and index.threshold <= threshold:
        pairs = index.pairs(candidates, wanted)
    elif connection.vendor == "postgresql":
        pairs = _pairs_postgresql(candidates, wanted, threshold)
    else:
        platforms = {candidates[i].platform for i in wanted}
        pairs = SuspendedIndex.load(platforms, threshold=threshold).pairs(candidates, wanted)
    for i, basis, subject in pairs:
        candidate = candidates[i]
        if basis == Resemblance.Basis.HANDLE:
            value, theirs = candidate.account, subject.account
            points = score(candidate.folded_account, subject.folded_account)
        else:
            value, theirs = candidate.display_name, subject.display_name
            points = score(candidate.folded_name, subject.folded_name)
        if points >= threshold and points:  # nothing in common is no look-alike, even at 0
            category = getattr(subject, "suspending_category", None) or ""
            found[i].append(Resembles(subject, basis, points, value, theirs, category))
    for matches in found:
        # Best first; a stable order among equals so reruns give the same reasons.
        matches.sort(key=lambda m: (-m.score, m.basis != Resemblance.Basis.HANDLE, m.subject.account))
        del matches[MAX_MATCHES:]
    return found


def _limit(threshold: int) -> float:
    """The similarity a pair needs to score `threshold` once rounded: 0.845 is 85 %."""
    return max(0.0, (threshold - 0.5) / 100)


def category_of(matches: Sequence[Resembles]) -> str:
    """The category a look-alike signal is filed under: the best match's suspending referral's,
    else `other`."""
    for match in matches:
        if match.category:
            return match.category
    return Category.OTHER


# --- PostgreSQL: the GIN trigram indexes -------------------------------------------------------


def _pairs_postgresql(candidates: Sequence[Candidate], wanted: list[int], threshold: int):
    """(candidate index, basis, suspended subject) of every pair whose pg_trgm similarity
    reaches the threshold, read through the trigram indexes."""
    if not connection.in_atomic_block:
        with transaction.atomic():
            return list(_pairs_postgresql(candidates, wanted, threshold))
    # For this transaction only; and without JIT, whose compiling (a quarter of a second per
    # query, set off by the planner's pessimistic row estimates) cost more than the lookups.
    limit = _limit(threshold)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true), set_config('jit', 'off', true)",
            [f"{limit:.4f}"],
        )
    pairs = []
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = [(i, candidates[i]) for i in wanted[start : start + LOOKUP_CHUNK]]
        handles = [(i, c.platform, c.folded_account) for i, c in chunk if c.folded_account]
        names = [(i, c.platform, c.folded_name) for i, c in chunk if c.folded_name]
        pairs.extend((s.candidate, s.basis, s) for s in Subject.objects.raw(*_lookup_sql(handles, names)))
    return pairs


def _lookup_sql(handles: list[tuple], names: list[tuple]) -> tuple[str, list]:
    q = connection.ops.quote_name
    subject, referral = q(Subject._meta.db_table), q(Referral._meta.db_table)
    columns = ", ".join(f"s.{q(Subject._meta.get_field(name).column)}" for name in SUBJECT_FIELDS)
    suspended_by = q(Subject._meta.get_field("suspended_by").column)

    def part(basis: str, column: str) -> str:
        # One probe of the GIN index per candidate: OFFSET 0 keeps the planner from flattening
        # the LATERAL subquery into a join whose `%` filter would score every suspended account
        # of the platform against every candidate (14 s for 50 candidates at 125,000). The
        # suspending referral's category is read by its primary key, for the few rows found.
        return (
            f"SELECT {columns}, (SELECT r.{q('category')} FROM {referral} r "  # noqa: S608 (quoted names)
            f"WHERE r.{q('seq')} = s.{suspended_by}) AS suspending_category, c.i AS candidate, "
            f"'{basis}' AS basis FROM unnest(%s::int[], %s::text[], %s::text[]) AS c(i, platform, folded) "
            f"CROSS JOIN LATERAL (SELECT * FROM {subject} t WHERE t.{q(column)} %% c.folded "
            f"AND t.{q('platform')} = c.platform AND t.{q('suspended_at')} IS NOT NULL OFFSET 0) s"
        )

    parts, params = [], []
    for basis, column, rows in (
        (Resemblance.Basis.HANDLE, "folded_account", handles),
        (Resemblance.Basis.DISPLAY_NAME, "folded_name", names),
    ):
        if rows:
            parts.append(part(basis, column))
            params += [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]]
    return " UNION ALL ".join(parts), params


# --- In memory: prefix filtering --------------------------------------------------------------


class SuspendedIndex:
    """The suspended accounts of some platforms, their handles and display names each indexed
    by their rarest trigrams (see the module's docstring), for one threshold.

    It keeps ids and folded values only; the accounts a candidate resembles are read again
    (one query per call of `pairs`), so one reinstated since the index was built is dropped.
    One suspended meanwhile is not in it: a job builds its index when it starts.
    """

    def __init__(self, rows: Iterable[tuple], *, threshold: int):
        self.threshold = threshold
        limit = _limit(threshold)
        rows = list(rows)
        self.handles = _PrefixIndex([(pk, platform, folded) for pk, platform, folded, _n in rows if folded], limit)
        self.names = _PrefixIndex([(pk, platform, name) for pk, platform, _f, name in rows if name], limit)

    @classmethod
    def load(cls, platforms: Iterable[str], *, threshold: int | None = None) -> SuspendedIndex:
        """One read of the suspended accounts of `platforms`."""
        rows = Subject.objects.filter(platform__in=set(platforms), suspended_at__isnull=False).values_list(
            "pk", "platform", "folded_account", "folded_name"
        )
        return cls(rows.iterator(chunk_size=10_000), threshold=min_score() if threshold is None else threshold)

    def pairs(self, candidates: Sequence[Candidate], wanted: list[int]) -> list[tuple[int, str, Subject]]:
        """(candidate index, basis, suspended subject) of every pair at least as similar as
        the index's threshold allows."""
        found = []
        for i in wanted:
            candidate = candidates[i]
            if candidate.folded_account:
                for pk in self.handles.near(candidate.platform, candidate.folded_account):
                    found.append((i, Resemblance.Basis.HANDLE, pk))
            if candidate.folded_name:
                for pk in self.names.near(candidate.platform, candidate.folded_name):
                    found.append((i, Resemblance.Basis.DISPLAY_NAME, pk))
        if not found:
            return []
        subjects = Subject.objects.filter(pk__in={pk for _i, _b, pk in found}, suspended_at__isnull=False)
        subjects = subjects.only(*SUBJECT_FIELDS).annotate(suspending_category=F("suspended_by__category"))
        by_pk = {s.pk: s for s in subjects}
        return [(i, basis, by_pk[pk]) for i, basis, pk in found if pk in by_pk]


class _PrefixIndex:
    """Folded values by the rarest trigrams of each, per platform: a value x is listed under
    its |x| − ⌈t·|x|⌉ + 1 rarest, which is what a pair t similar always shares.

    Trigrams are numbered by rarity (0 the rarest, ties in a fixed order), and each value is
    kept as the tuple of its trigrams' numbers: a prefix is then the smallest numbers, and a
    pair is checked with one set intersection. Values are listed by trigram, size and the
    trigram's place in the value, so a lookup reads only values of a size that can be t
    similar, and whose first shared trigram leaves enough after it to share what t needs
    (at 85 %, two values of 13 trigrams share 12): "length" and "positional" filtering.
    """

    def __init__(self, entries: list[tuple], limit: float):
        self.limit = limit
        # Rarity from a sample: any fixed order finds the same pairs, a good one finds them
        # reading less. A trigram outside the sample is rarer than those in it, numbered
        # (below zero) when first met.
        frequency: Counter = Counter()
        for _pk, _platform, value in entries[::FREQUENCY_SAMPLE]:
            frequency.update(_grams(value))
        ranks = self.rank = {gram: n for n, gram in enumerate(sorted(frequency, key=lambda g: (frequency[g], g)))}
        self.pks: list = []
        self.sets: list[tuple[int, ...]] = []
        self.largest = 0
        # platform → (trigram number, value's size, the trigram's place in it) → values' numbers
        self.postings: dict[str, dict[tuple[int, int, int], list[int]]] = defaultdict(lambda: defaultdict(list))
        lengths: dict[int, int] = {}  # prefix length by size
        for n, (pk, platform, value) in enumerate(entries):
            grams = _grams(value)
            for gram in grams.difference(ranks):
                ranks[gram] = -1 - len(ranks) + len(frequency)
            mine = tuple(sorted(map(ranks.__getitem__, grams)))
            size = len(mine)
            if size not in lengths:
                lengths[size] = min(self._prefix_length(size), size)
            postings = self.postings[platform]
            for place in range(lengths[size]):
                postings[(mine[place], size, place)].append(n)
            self.pks.append(pk)
            self.sets.append(mine)
        self.largest = max(lengths, default=0)

    def _prefix_length(self, size: int) -> int:
        # Never a trigram too few: a float a hair above a whole number must not round it up.
        return size - math.ceil(self.limit * size - EPSILON) + 1

    def near(self, platform: str, value: str) -> list:
        """The pks of the values of `platform` at least `limit` similar to `value`."""
        grams = _grams(value)
        size, limit = len(grams), self.limit
        postings = self.postings.get(platform)
        if not size or not postings:
            return []
        known = sorted(self.rank[gram] for gram in grams if gram in self.rank)
        # A trigram no indexed value has is rarer than all the others: first in the prefix,
        # where it finds nothing.
        unknown = size - len(known)
        prefix = known[: max(0, self._prefix_length(size) - unknown)]
        # Sizes that can be `limit` similar: the smaller at least `limit` times the larger.
        smallest = math.ceil(limit * size - EPSILON)
        largest = min(self.largest, math.floor(size / limit + EPSILON)) if limit else self.largest
        found: set[int] = set()
        for other in range(max(1, smallest), largest + 1):
            needed = math.ceil(limit * (size + other) / (1 + limit) - EPSILON)  # shared trigrams
            last = min(other - needed, self._prefix_length(other) - 1)  # their place, at most
            for place, rank in enumerate(prefix, start=unknown):
                if size - place < needed:
                    break
                for theirs in range(last + 1):
                    listed = postings.get((rank, other, theirs))
                    if listed:
                        found.update(listed)
        mine, near = set(known), []
        for n in found:
            theirs = self.sets[n]
            shared = len(mine.intersection(theirs))
            if shared and shared / (size + len(theirs) - shared) >= limit:
                near.append(self.pks[n])
        return near


def _grams(value: str) -> set[str]:
    """`folding.trigrams` of a folded value (words of letters and digits, one space apart),
    written for speed: an index computes it for each suspended account."""
    if " " not in value:  # a handle
        padded = f"  {value} "
        return {padded[i : i + 3] for i in range(len(padded) - 2)} if value else set()
    grams: set[str] = set()
    for word in value.split(" "):
        padded = f"  {word} "
        grams.update([padded[i : i + 3] for i in range(len(padded) - 2)])
    return grams
