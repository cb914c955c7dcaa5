"""Finding things (SPEC §15): one search that reads what a reviewer pastes or types.

- a URL of any platform (`https://x.com/someone/status/1`, `t.me/channel`, with or without the
  scheme) is normalised by the engine, as intake does, to its subject (platform, account) and
  found exactly through the `(platform, account)` unique index;
- a reference (`R-2026-000123`, the year must match) finds that referral and the subjects it
  names;
- anything else is a handle or part of one, ranked by similarity to the lower-cased account:
  on PostgreSQL with pg_trgm, its candidates (accounts containing it, or with a run of words
  similar to it) read through the GIN trigram index on `lower(account)` of migration 0010 and
  ranked by trigram similarity; on SQLite a case-insensitive "contains". Exact handles first,
  either way.

Platform roles only: anyone else finds nothing, so the page and the API answer 404. A search
is a fixed number of queries however many subjects it finds: one for the page of subjects
(and its count on the page), plus the referral's for a reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length, Lower
from django.utils.translation import gettext as _

from referrals.engine import normalise
from referrals.models import Referral, Subject, seq_from_reference
from referrals.review.permissions import can_see_queues
from referrals.selectors import referral_for_reference
from referrals.services.labels import engine_text

# What a search box takes: the longest URL intake accepts.
QUERY_MAX = normalise.MAX_URL_LENGTH
# A handle search ranks at most this many candidates besides exact handles, so a fragment
# shared by a million accounts ("load") costs no more than a rare one; a longer fragment
# narrows it. Reviewers page through 50 at a time, so 1,000 is twenty pages.
CANDIDATES = 1000
# pg_trgm reads no trigram out of a shorter fragment, so "contains" would scan the index.
FRAGMENT_MIN = 3

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# `x.com/someone`, `www.youtube.com/@someone`: a host with a dot, then a path. A handle never
# has a "/" (intake refuses one), so this reads no handle as a URL.
_BARE_URL = re.compile(r"^[^/\s@]+\.[^/\s]+/\S*$")

URL, REFERENCE, HANDLE = "url", "reference", "handle"


@dataclass(frozen=True)
class SubjectSearch:
    """What `q` was read as (`read_as`: "url", "reference", "handle", or "" for nothing to
    search), the subjects found (a ranked queryset: callers slice it), the referral of a
    reference, and why a URL could not be searched (`error`, for the person)."""

    query: str
    read_as: str
    subjects: QuerySet[Subject]
    referral: Referral | None = None
    error: str = ""


class WordSimilar(Func):
    """`account %> fragment`: pg_trgm's word similarity of the fragment to some run of the
    account at least `pg_trgm.word_similarity_threshold` (0.6), an operator the GIN index
    serves. Plain `%` (similarity of the whole strings, threshold 0.3) lets through every
    account that shares one word with the fragment: "hyper_a1b2c3" read 40,040 candidates
    of 1.2 million subjects to keep 49 (220 ms); this reads the 40 it keeps (0.4 ms)."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def subject_search(user, query: str) -> SubjectSearch:
    """Read `query` as a URL, a reference or (part of) a handle and find the subjects it names,
    best first. Anything but a platform role finds nothing."""
    query = (query or "").strip()
    if not can_see_queues(user) or not query:
        return SubjectSearch(query, "", Subject.objects.none())
    url = query if _SCHEME.match(query) else f"https://{query}" if _BARE_URL.match(query) else ""
    if url:
        return _by_url(query, url)
    if seq_from_reference(query) is not None:
        return _by_reference(user, query)
    return SubjectSearch(query, HANDLE, _by_handle(query.lstrip("@").strip().lower()))


def _listed(subjects: QuerySet[Subject]) -> QuerySet[Subject]:
    return subjects.only("id", "platform", "account", "referral_count", "suspended_at")


def _by_url(query: str, url: str) -> SubjectSearch:
    try:
        target = normalise.normalise_target({"url": url})
    except normalise.TargetError as error:
        return SubjectSearch(query, URL, Subject.objects.none(), error=engine_text(error.args[0]))
    if not target.account:
        message = _("This address names a post but not its account: paste the account's address, or its handle.")
        return SubjectSearch(query, URL, Subject.objects.none(), error=message)
    found = Subject.objects.filter(platform=target.platform, account=target.account)
    return SubjectSearch(query, URL, _listed(found).order_by("id"))


def _by_reference(user, query: str) -> SubjectSearch:
    """The referral and the subjects it names (its targets come prefetched with it)."""
    referral = referral_for_reference(user, query)
    if referral is None:
        return SubjectSearch(query, REFERENCE, Subject.objects.none())
    ids = {target.subject_id for target in referral.targets.all() if target.subject_id}
    found = Subject.objects.filter(pk__in=ids).order_by("platform", "account", "id")
    return SubjectSearch(query, REFERENCE, _listed(found), referral=referral)


def _by_handle(needle: str) -> QuerySet[Subject]:
    if not needle:
        return Subject.objects.none()
    subjects = _listed(Subject.objects.annotate(handle=Lower("account")))
    exact = Case(When(handle=needle, then=Value(0)), default=Value(1), output_field=IntegerField())
    if len(needle) < FRAGMENT_MIN:
        return subjects.filter(handle=needle).order_by("platform", "id")
    if connection.vendor == "postgresql":
        return _by_similarity(subjects, needle, exact)
    starts = Case(When(handle__startswith=needle, then=Value(0)), default=Value(1), output_field=IntegerField())
    return subjects.filter(handle__contains=needle).order_by(
        exact, starts, Length("account"), "-referral_count", "account", "id"
    )


def _by_similarity(subjects: QuerySet[Subject], needle: str, exact) -> QuerySet[Subject]:
    """Exact handles (the btree index on lower(account)), and at most CANDIDATES accounts
    containing the fragment or with a run similar to it (the GIN trigram index); ranked exact
    first, then by word similarity, then by similarity of the whole handle (the closer length
    first), then by how often they are named."""
    handle = Lower("account")
    exact_ids = subjects.filter(handle=needle).values("pk")
    similar = subjects.filter(Q(handle__contains=needle) | Q(WordSimilar(handle, Value(needle))))
    candidates = exact_ids.union(similar.values("pk")[:CANDIDATES])
    return (
        subjects.filter(pk__in=candidates)
        .annotate(
            word_similarity=TrigramWordSimilarity(Value(needle), handle),
            similarity=TrigramSimilarity(handle, Value(needle)),
        )
        .order_by(exact, F("word_similarity").desc(), F("similarity").desc(), "-referral_count", "account", "id")
    )
