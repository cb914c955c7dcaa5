"""Networks of co-referred accounts and the hubs among them (SPEC §14): reads for platform roles.

Two accounts are linked with a weight, the number of referrals naming both, kept by intake in
`SubjectLink` (both directions, indexed by subject and weight, heaviest first); nothing here
recomputes it. A network is read level by level from its subject: the heaviest links first,
at most NETWORK_MAX_NODES accounts, in a fixed number of queries whatever its size, and with
the rows read bounded per level, so a "hyper" account with tens of thousands of links costs
no more than a small one.

Hubs are ranked over a window of days by weighted degree: for each referral of the window
naming two accounts or more, each pair adds 1 to each side (every referral filed counts, as
for the links). Referral numbers grow with receipt, so the window's targets are one range of
the targets' `referral_id` index from the window's first referral, as in
`corroboration_counts` (referrals/review/services/routing.py), and no referral row is read.
A hub's suspended neighbours are kept on the account (`Subject.suspended_links`, see
referrals.models.surfacing): never counted over its links, tens of thousands for a "hyper" one.

Everything here is platform-only: to anyone else the selectors return nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from referrals.models import CLOSED_STATUSES, Referral, Status, Subject, Target
from referrals.models.surfacing import SubjectLink
from referrals.review.selectors import WORKLIST_ORDER
from referrals.surfacing.permissions import can_see_surfacing

NETWORK_MAX_NODES = 200
# The links of the first level's accounts read to find the second level, at most: each account
# of the first level gives its heaviest ones, shared out (PostgreSQL reads exactly those rows).
SECOND_LEVEL_READ = 4000
# The links of each shown account read to find the links among them: a link between two shown
# accounts is drawn when it is among the heaviest EDGE_READ of one of them (every link of an
# account with fewer), so a "hyper" account's thousands of links are never all read.
EDGE_READ = 50

HUB_DAYS_DEFAULT = 30
HUB_DAYS_MAX = 365
HUB_LIMIT_DEFAULT = 50
HUB_LIMIT_MAX = 200

# Open referrals a network's selection hands to the bulk decision: those waiting for a reviewer
# or being reviewed (a request for information waits for its submitter).
SELECTABLE_STATUSES = (Status.ROUTED, Status.IN_REVIEW)


def subjects_visible_to(user) -> QuerySet[Subject]:
    if not can_see_surfacing(user):
        return Subject.objects.none()
    return Subject.objects.all()


# --- A subject's network ------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    subject: Subject
    depth: int  # 0 the subject itself, 1 linked to it, 2 linked to one of those
    weight: int  # depth 1: its link to the subject; depth 2: its heaviest link to depth 1; 0 for the subject
    via: uuid.UUID | None = None  # depth 2: the account of depth 1 it was reached through


@dataclass(frozen=True)
class Edge:
    source: uuid.UUID
    target: uuid.UUID
    weight: int


@dataclass
class Network:
    subject: Subject
    nodes: list[Node] = field(default_factory=list)  # the subject, then depth 1, then depth 2, heaviest first
    edges: list[Edge] = field(default_factory=list)  # between shown accounts, each once, heaviest first
    truncated: bool = False  # more accounts are linked than the network shows

    @property
    def suspended_count(self) -> int:
        return sum(1 for node in self.nodes if node.subject.suspended_at is not None)


def subject_network(user, subject: Subject) -> Network:
    """`subject` and the accounts linked to it up to two steps away, heaviest links first, at
    most NETWORK_MAX_NODES, with the links between them (see EDGE_READ).

    At most four reads, however large the network (the first level's links; the second
    level's, bounded per account; the links among the chosen accounts, bounded per account;
    the accounts); on PostgreSQL the two bounded ones each set the planner for themselves.
    """
    network = Network(subject=subject)
    if not can_see_surfacing(user):
        return network
    free = NETWORK_MAX_NODES - 1
    # Query 1: the subject's heaviest links, on the (subject, -weight, other) index; one more than fits
    # says whether the first level was cut.
    first = list(
        SubjectLink.objects.filter(subject=subject).order_by("-weight").values_list("other_id", "weight")[: free + 1]
    )
    network.truncated = len(first) > free
    first = first[:free]
    depth = {subject.pk: (0, 0, None)}
    for other, weight in first:
        depth[other] = (1, weight, None)
    free -= len(first)
    if first and free:
        # Query 2: each first-level account's heaviest links to accounts not chosen yet, its
        # share of SECOND_LEVEL_READ at most (and never more than the places left).
        per_account = max(1, min(free, SECOND_LEVEL_READ // len(first)))
        rows = _heaviest_links([other for other, _ in first], per_account, besides=list(depth))
        counts: dict = {}
        for source, *_ in rows:
            counts[source] = counts.get(source, 0) + 1
        for source, other, weight in sorted(rows, key=lambda row: (-row[2], str(row[1]))):
            if other in depth:
                continue
            if not free:
                network.truncated = True
                break
            depth[other] = (2, weight, source)
            free -= 1
        # An account whose reading stopped at its share may have lighter links not read.
        if any(n == per_account for n in counts.values()):
            network.truncated = True
    if len(depth) == 1:
        network.nodes = [Node(subject, 0, 0)]
        return network
    ids = list(depth)
    # Query 3: the links among the chosen accounts, each pair once, found among the heaviest
    # EDGE_READ links of either of its accounts (all of them for all but the busiest accounts).
    found: dict = {}
    for a, b, weight in _heaviest_links(ids, EDGE_READ, among=ids):
        found[(a, b) if str(a) < str(b) else (b, a)] = weight
    ordered = sorted(found.items(), key=lambda item: (-item[1], str(item[0][0]), str(item[0][1])))
    network.edges = [Edge(a, b, weight) for (a, b), weight in ordered]
    # Query 4: the accounts themselves.
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=ids).only(*NODE_FIELDS)}
    subjects[subject.pk] = subject
    nodes = [Node(subjects[pk], *depth[pk]) for pk in ids if pk in subjects]
    nodes.sort(key=lambda n: (n.depth, -n.weight, n.subject.platform, n.subject.account))
    network.nodes = nodes
    return network


NODE_FIELDS = ("id", "platform", "account", "suspended_at", "referral_count")


def _heaviest_links(subject_ids: list, per_account: int, *, besides: list = (), among: list = ()) -> list[tuple]:
    """(subject, other, weight) of the `per_account` heaviest links of each of `subject_ids`, in
    one query: with `besides`, the heaviest to accounts not in it; with `among`, those of the
    heaviest that lead to an account in it.

    PostgreSQL reads only those entries of the (subject, -weight, other) index (and, with `besides`,
    the ones skipped), a LATERAL join per account, so a "hyper" account costs `per_account`
    rows; elsewhere (SQLite, in development and tests) a window function ranks them."""
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        meta = SubjectLink._meta
        table = q(meta.db_table)
        subject, other = q(meta.get_field("subject").column), q(meta.get_field("other").column)
        skip = f"AND NOT ({other} = ANY(%s::uuid[])) " if besides else ""
        keep = f"WHERE l.{other} = ANY(%s::uuid[])" if among else ""
        sql = (
            f"SELECT l.{subject}, l.{other}, l.weight FROM unnest(%s::uuid[]) AS s(id) "  # noqa: S608 (quoted names)
            f"CROSS JOIN LATERAL (SELECT {subject}, {other}, weight FROM {table} "
            f"WHERE {subject} = s.id {skip}ORDER BY weight DESC LIMIT %s) AS l {keep}"
        )
        params = [list(subject_ids), *([list(besides)] if besides else []), per_account]
        params += [list(among)] if among else []
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner takes each account for the average one (a link or two) and would sort
            # all its links from a bitmap scan: for a "hyper" account, tens of thousands (35 ms
            # against 9 ms at 200 accounts of a million referrals). The index already reads
            # them heaviest first; for this query only, in this transaction only.
            cursor.execute("SELECT set_config('enable_bitmapscan', 'off', true)")
            cursor.execute(sql, params)
            rows = [(a, b, w) for a, b, w in cursor.fetchall()]
            cursor.execute("SELECT set_config('enable_bitmapscan', 'on', true)")
            return rows
    links = SubjectLink.objects.filter(subject_id__in=list(subject_ids))
    if besides:
        links = links.exclude(other_id__in=list(besides))
    ranked = links.annotate(
        rank=Window(RowNumber(), partition_by=[F("subject_id")], order_by=[F("weight").desc(), F("other_id")])
    ).filter(rank__lte=per_account)
    rows = list(ranked.values_list("subject_id", "other_id", "weight"))
    if among:
        wanted = set(among)
        rows = [row for row in rows if row[1] in wanted]
    return rows


# --- Hubs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hub:
    subject: Subject
    weight: int  # co-referrals in the window: each referral naming it with others adds 1 per other account
    accounts: int  # distinct accounts named with it in the window
    suspended_neighbours: int = 0  # suspended accounts linked to it, over all time (Subject.suspended_links)


def window_first_seq(days: int, *, now: datetime | None = None) -> int | None:
    """The number of the first referral received in the last `days` days (None when none was):
    every referral of the window has a number at least that one."""
    since = (now or timezone.now()) - timedelta(days=days)
    # The window's first referral on the received_at index. MIN(seq) under the same filter is
    # the same number (numbers grow with receipt), but lets PostgreSQL walk the primary key from
    # the oldest referral instead: for a recent window, most of the table (0.6 s at 650,000).
    first = (
        Referral.objects.filter(received_at__gte=since)
        .order_by("received_at", "seq")
        .values_list("seq", flat=True)
        .first()
    )
    return first


def _names() -> dict:
    q = connection.ops.quote_name
    return {
        "target": q(Target._meta.db_table),
        "subject": q(Subject._meta.db_table),
        "referral": q(Target._meta.get_field("referral").column),
        "account": q(Target._meta.get_field("subject").column),
    }


# The window's (referral, account) pairs, each once (a referral may name an account twice, by a
# post and by its handle). Referral numbers grow with receipt, so the window is one range of
# the targets' referral index, and no referral row is read; like the links, every referral
# filed counts, withdrawn or not.
_WINDOW = (
    "SELECT DISTINCT t.{referral} AS referral_id, t.{account} AS subject_id FROM {target} t "
    "WHERE t.{referral} >= %s AND t.{account} IS NOT NULL"
)

# Weighted degree without pairing the targets: a referral naming k accounts adds k - 1 to each.
# The degrees are ordered once, then the suspended are skipped only until `limit` are found:
# `degrees` is not materialised, so PostgreSQL knows its order and stops its anti-join at the
# `limit`-th active account (at a million referrals, 50 look-ups of accounts instead of the
# 31,000 the window co-names, and 140 ms instead of 520 on the benchmark's busy machine).
_RANKING = (
    "WITH named AS (" + _WINDOW + "), "  # noqa: S608 (quoted names)
    "sized AS (SELECT subject_id, COUNT(*) OVER (PARTITION BY referral_id) - 1 AS others FROM named), "
    "degrees AS (SELECT subject_id, SUM(others) AS weight FROM sized WHERE others > 0 "
    "GROUP BY subject_id ORDER BY weight DESC, subject_id) "
    "SELECT d.subject_id FROM degrees d WHERE NOT EXISTS "
    "(SELECT 1 FROM {subject} s WHERE s.id = d.subject_id AND s.suspended_at IS NOT NULL) "
    "ORDER BY d.weight DESC, d.subject_id LIMIT %s"
)

# For a few accounts: the window's referrals naming each (the (subject, referral) index), and
# the other accounts those referrals name, each pair once. For a page of hubs, tens of thousands
# of referrals: the others are read in one pass over the window's targets (`{window}`, a merge
# join). For one account, its own referrals only (a "hyper" account's 2,300 of a month at a
# million referrals), each by the targets' referral index: 20 ms instead of 35.
_FIGURES = (
    "WITH mine AS MATERIALIZED (" + _WINDOW + " AND t.{account} IN ({ids})), "  # noqa: S608 (quoted names)
    "pairs AS (SELECT DISTINCT mine.subject_id AS hub, b.{referral} AS referral_id, b.{account} AS other "
    "FROM mine JOIN {target} b ON b.{referral} = mine.referral_id "
    "WHERE {window}b.{account} IS NOT NULL AND b.{account} <> mine.subject_id) "
    "SELECT hub, COUNT(*), COUNT(DISTINCT other) FROM pairs GROUP BY hub"
)


def _figures(ids: list, first: int) -> dict:
    """subject id → (weight, accounts) in the window, for `ids` (a page of hubs). One query."""
    pk = Subject._meta.pk
    many = len(ids) > 1
    window = "b.{referral} >= %s AND ".format(**_names()) if many else ""
    sql = _FIGURES.format(**_names(), ids=", ".join(["%s"] * len(ids)), window=window)
    params = [first, *(pk.get_db_prep_value(i, connection) for i in ids), *([first] if many else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk.to_python(hub): (weight, accounts) for hub, weight, accounts in cursor.fetchall()}


def hubs(user, *, days: int = HUB_DAYS_DEFAULT, limit: int = HUB_LIMIT_DEFAULT, now=None) -> list[Hub]:
    """The active accounts most co-referred in the last `days` days, by weighted degree (most
    first), at most `limit`, each with its figures and its suspended neighbours (kept on the
    account, `Subject.suspended_links`). Four queries: the window's first referral, the
    ranking, the accounts, their figures."""
    if not can_see_surfacing(user):
        return []
    first = window_first_seq(days, now=now)
    if first is None:
        return []
    pk = Subject._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(_RANKING.format(**_names()), [first, limit])
        ids = [pk.to_python(row[0]) for row in cursor.fetchall()]
    if not ids:
        return []
    subjects = Subject.objects.in_bulk(ids)
    figures = _figures(ids, first)
    return [
        Hub(subjects[i], *figures.get(i, (0, 0)), subjects[i].suspended_links)
        for i in ids
        if i in subjects and i in figures
    ]


def hub_figures(user, subject: Subject, *, days: int = HUB_DAYS_DEFAULT, now=None) -> Hub:
    """`subject`'s figures as a hub over the last `days` days (zero when it was not co-named),
    read from its own targets, and its suspended neighbours (kept on it). Two queries."""
    if not can_see_surfacing(user):
        return Hub(subject, 0, 0, 0)
    first = window_first_seq(days, now=now)
    weight, accounts = _figures([subject.pk], first).get(subject.pk, (0, 0)) if first else (0, 0)
    return Hub(subject, weight, accounts, subject.suspended_links)


def open_signals(user, subject_ids) -> dict:
    """subject id → its open signal (one per account at most). One query."""
    if not can_see_surfacing(user):
        return {}
    rows = (
        Referral.objects.filter(surfaced_subject_id__in=list(subject_ids))
        .exclude(status__in=sorted(CLOSED_STATUSES))
        .only("seq", "id", "received_at", "status", "surfaced_subject_id")
    )
    return {r.surfaced_subject_id: r for r in rows}


# --- Deciding a network's accounts together ------------------------------------------------------


@dataclass
class Selection:
    """Accounts chosen on a network page and their open referrals, for the bulk decision."""

    with_open: list[tuple[Subject, int]] = field(default_factory=list)  # (account, open referrals naming it)
    without_open: list[Subject] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)  # most urgent first
    more: bool = False  # more open referrals than `limit`: the most urgent are kept
    others: list[Subject] = field(default_factory=list)  # accounts not chosen that these referrals name too

    @property
    def chosen(self) -> int:
        return len(self.with_open) + len(self.without_open)


def network_selection(user, subject_ids: list, *, limit: int) -> Selection:
    """The open referrals (routed or in review) naming one of `subject_ids`, most urgent first,
    at most `limit`, with how many name each chosen account and which other accounts they
    name (a suspension applies to every account a referral names). Four queries."""
    selection = Selection()
    if not can_see_surfacing(user):
        return selection
    found = Subject.objects.in_bulk(list(subject_ids))
    accounts = [found[pk] for pk in subject_ids if pk in found]
    named = Target.objects.filter(subject_id__in=[a.pk for a in accounts]).values("referral_id")
    referrals = list(
        Referral.objects.filter(seq__in=named, status__in=SELECTABLE_STATUSES)
        .order_by(*WORKLIST_ORDER)
        .prefetch_related(Prefetch("targets", queryset=Target.objects.select_related("subject").order_by("position")))[
            : limit + 1
        ]
    )
    selection.more = len(referrals) > limit
    selection.referrals = referrals[:limit]
    counts = {a.pk: 0 for a in accounts}
    others = {}
    for referral in selection.referrals:
        # Once per referral, however many of its targets name the account.
        for pk, account in {t.subject_id: t.subject for t in referral.targets.all() if t.subject_id}.items():
            if pk in counts:
                counts[pk] += 1
            else:
                others[pk] = account
    selection.with_open = [(a, counts[a.pk]) for a in accounts if counts[a.pk]]
    selection.without_open = [a for a in accounts if not counts[a.pk]]
    selection.others = sorted(others.values(), key=lambda s: (s.platform, s.account))
    return selection
