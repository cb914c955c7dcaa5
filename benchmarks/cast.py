"""The load data's vocabulary and cast: organisations, people and the weights every generated
referral is drawn from; `reset` deletes what was generated (slugs `load-`, accounts `load_`)."""

# SQL here is built from model metadata (table and column names), never from input;
# values are always passed as parameters.
# ruff: noqa: S608

from __future__ import annotations

import itertools
import random
import time
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction

from partners.models import Membership, Organisation, OrganisationKind, Role
from portal.models import User
from referrals.models import (
    Action,
    Decision,
    Evidence,
    Kind,
    MediaHash,
    MediaMatch,
    Queue,
    Referral,
    Resemblance,
    StatementSubmission,
    Status,
    Subject,
    SubjectLink,
    Target,
    TimelineEvent,
    subject_counts_recount,
)

ORG_PREFIX = "load-"
ACCOUNT_PREFIX = "load_"
BIG_ORGANISATION = "load-ngo-harbourline"
BIG_SHARE = 100_000  # referrals of the "my referrals" organisation, at most a tenth of N
SPAN = timedelta(days=730)
HYPER_SUBJECTS = 40

ORGANISATIONS = [
    # slug, name, kind, trusted flagger, country
    (BIG_ORGANISATION, "Harbourline Monitoring Collective", OrganisationKind.NGO, True, "GB"),
    ("load-ngo-lantern", "Lantern Dialogue Initiative", OrganisationKind.NGO, True, "FR"),
    ("load-ngo-meridian", "Meridian Youth Forum", OrganisationKind.NGO, False, "DE"),
    ("load-ngo-quill", "Quill Civic Watch", OrganisationKind.NGO, False, "ES"),
    ("load-ngo-saltmarsh", "Saltmarsh Community Trust", OrganisationKind.NGO, True, "NL"),
    ("load-ngo-tidewater", "Tidewater Peace Desk", OrganisationKind.NGO, False, "SE"),
    ("load-le-eastvale", "Eastvale Counter-Terrorism Unit", OrganisationKind.LAW_ENFORCEMENT, False, "GB"),
    ("load-le-norhaven", "Norhaven Internet Referral Office", OrganisationKind.LAW_ENFORCEMENT, False, "FR"),
    ("load-le-westmark", "Westmark Federal Police Cyber Desk", OrganisationKind.LAW_ENFORCEMENT, False, "DE"),
    ("load-platform", "Load Test Platform Trust & Safety", OrganisationKind.PLATFORM, False, "IE"),
]
REVIEWERS = 6

KIND_WEIGHTS = {
    Kind.NOTICE: 78,
    Kind.LE_REFERRAL: 13,
    Kind.REMOVAL_ORDER: 3,
    Kind.PRESERVATION_REQUEST: 3,
    Kind.EMERGENCY_REQUEST: 3,
}
CATEGORY_WEIGHTS = {
    "terrorist_incitement": 10,
    "terrorist_recruitment": 12,
    "terrorist_instruction": 5,
    "terrorist_threat": 8,
    "glorification": 15,
    "propaganda": 20,
    "violent_threat": 12,
    "hateful_conduct": 13,
    "other": 5,
}
SEVERITY_WEIGHTS = {"imminent": 3, "high": 25, "medium": 45, "low": 27}
LOCALES = [("en", "GB", 30), ("fr", "FR", 12), ("de", "DE", 12), ("ar", "", 15), ("es", "ES", 8), ("", "", 23)]
PLATFORMS = [("x", 40), ("telegram", 25), ("facebook", 10), ("youtube", 10), ("tiktok", 10), ("instagram", 5)]
# Status mix by age: the newest are still being worked on, older ones are mostly decided.
STATUS_BY_AGE = [
    (
        timedelta(days=3),
        {
            Status.ROUTED: 45,
            Status.IN_REVIEW: 20,
            Status.NEEDS_INFO: 5,
            Status.ACTIONED: 15,
            Status.NO_VIOLATION: 10,
            Status.DUPLICATE: 3,
            Status.WITHDRAWN: 2,
        },
    ),
    (
        timedelta(days=30),
        {
            Status.ROUTED: 8,
            Status.IN_REVIEW: 5,
            Status.NEEDS_INFO: 2,
            Status.ACTIONED: 45,
            Status.NO_VIOLATION: 28,
            Status.REJECTED: 3,
            Status.DUPLICATE: 6,
            Status.WITHDRAWN: 3,
        },
    ),
    (
        SPAN * 2,
        {
            Status.ROUTED: 0.3,
            Status.IN_REVIEW: 0.2,
            Status.NEEDS_INFO: 0.5,
            Status.ACTIONED: 50,
            Status.NO_VIOLATION: 32,
            Status.REJECTED: 4,
            Status.DUPLICATE: 9,
            Status.WITHDRAWN: 4,
        },
    ),
]
UNROUTED_AGE = timedelta(minutes=10)  # younger than this: still `received`
ACTIONS = {
    Action.ACCOUNT_SUSPENDED: 45,
    Action.CONTENT_REMOVED: 35,
    Action.CONTENT_RESTRICTED: 10,
    Action.LABEL_APPLIED: 10,
}
LEGAL_ACTION = {
    Kind.REMOVAL_ORDER: Action.CONTENT_REMOVED,
    Kind.PRESERVATION_REQUEST: Action.DATA_PRESERVED,
    Kind.EMERGENCY_REQUEST: Action.DATA_DISCLOSED,
}
EVIDENCE_TYPES = [("image/png", ".png"), ("image/jpeg", ".jpg"), ("application/pdf", ".pdf"), ("video/mp4", ".mp4")]
EXPLANATIONS = [
    "The account shares recruitment videos for a proscribed organisation and asks viewers to make contact.",
    "Posts glorify a recent attack and name its perpetrator a martyr, with calls to repeat it.",
    "The channel republishes official propaganda of a designated group with new subtitles.",
    "A message threatens violence against a named community centre and gives a date.",
    "Step-by-step instructions for building a weapon are posted with a call to use them.",
]


def picker(weights: dict | list, rng: random.Random) -> Callable[[], object]:
    if isinstance(weights, dict):
        items = list(weights.items())
    else:  # (value…, weight) rows: ("x", 40) picks "x", not ("x",); ("en", "GB", 30) picks ("en", "GB")
        items = [(w[0] if len(w) == 2 else w[:-1], w[-1]) for w in weights]
    values = [v for v, _ in items]
    cumulative = list(itertools.accumulate(w for _, w in items))
    total = cumulative[-1]
    return lambda: values[bisect(cumulative, rng.random() * total)]


@dataclass
class Cast:
    """The generated organisations and people."""

    big: Organisation
    ngos: list[Organisation]
    agencies: list[Organisation]
    platform: Organisation
    submitters: dict[int, User]  # organisation id → its member
    reviewers: list[User]
    lead: User


def ensure_cast() -> Cast:
    """Organisations and people of the load set (created once, reused after)."""
    orgs = {}
    for slug, name, kind, trusted, country in ORGANISATIONS:
        orgs[slug], _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "trusted_flagger": trusted,
                "verified": True,
                "country": country,
                "email_domains": [f"{slug}.test"],
            },
        )

    def person(org: Organisation, local: str, role: str) -> User:
        user = User.objects.filter(email=f"{local}@{org.slug}.test").first()
        if user is None:
            user = User.objects.create_user(email=f"{local}@{org.slug}.test", name=f"{local.title()} ({org.name})")
            Membership.objects.create(user=user, organisation=org, role=role)
        return user

    submitters = {}
    for org in orgs.values():
        if org.kind == OrganisationKind.NGO:
            submitters[org.pk] = person(org, "member", Role.NGO_MEMBER)
        elif org.kind == OrganisationKind.LAW_ENFORCEMENT:
            submitters[org.pk] = person(org, "liaison", Role.LE_LIAISON)
    platform = orgs["load-platform"]
    reviewers = [person(platform, f"reviewer{i}", Role.REVIEWER) for i in range(1, REVIEWERS + 1)]
    lead = person(platform, "lead", Role.QUEUE_LEAD)
    for queue in Queue.objects.all():
        queue.members.add(*reviewers)
    ngos = [o for s, o in orgs.items() if o.kind == OrganisationKind.NGO and s != BIG_ORGANISATION]
    agencies = [o for o in orgs.values() if o.kind == OrganisationKind.LAW_ENFORCEMENT]
    return Cast(orgs[BIG_ORGANISATION], ngos, agencies, platform, submitters, reviewers, lead)


def load_organisations():
    return Organisation.objects.filter(slug__startswith=ORG_PREFIX)


def generated_count() -> int:
    return Referral.objects.filter(organisation__in=load_organisations()).count()


def reset(log: Callable[[str], None] = print) -> None:
    """Delete the generated referrals (and everything hanging off them) and subjects.

    The organisations and people stay, to be reused.
    """
    started = time.monotonic()
    reset_referrals_of(load_organisations(), account_prefix=ACCOUNT_PREFIX)
    log(f"Deleted the generated referrals and subjects in {time.monotonic() - started:.1f}s.")


def _suspended_links_drop(orphans: str) -> str:
    """The accounts linked to suspended orphans lose those links from Subject.suspended_links."""
    q = connection.ops.quote_name
    subject, link = q(Subject._meta.db_table), q(SubjectLink._meta.db_table)
    return (
        f"UPDATE {subject} SET suspended_links = {subject}.suspended_links - c.n FROM (SELECT l.subject_id, "
        f"COUNT(*) AS n FROM {link} l JOIN {subject} o ON o.id = l.other_id WHERE o.suspended_at IS NOT NULL "
        f"AND l.other_id IN ({orphans}) GROUP BY l.subject_id) AS c WHERE {subject}.id = c.subject_id"
    )


def reset_referrals_of(organisations, *, account_prefix: str | None = None, platforms: tuple[str, ...] = ()) -> None:
    """Delete the referrals of `organisations` with their targets, events, decisions and
    evidence rows (with its image hashes and matches, and the signals' resemblances), then the
    subjects named `account_prefix…` or on one of `platforms` that nothing names any more, with
    their co-referral links.

    Plain SQL in one transaction: the ORM's cascade would load every row first.
    """
    orgs = [o.pk for o in organisations] or [None]  # none: only the subjects nothing names
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(orgs))
    seqs = f"SELECT seq FROM {q(Referral._meta.db_table)} WHERE organisation_id IN ({marks})"
    decisions = f"SELECT id FROM {q(Decision._meta.db_table)} WHERE referral_id IN ({seqs})"
    evidence = f"SELECT id FROM {q(Evidence._meta.db_table)} WHERE referral_id IN ({seqs})"
    statements = [
        (f"DELETE FROM {q(StatementSubmission._meta.db_table)} WHERE decision_id IN ({decisions})", orgs),
        (f"DELETE FROM {q(MediaMatch._meta.db_table)} WHERE evidence_id IN ({evidence})", orgs),
        (f"DELETE FROM {q(MediaMatch._meta.db_table)} WHERE earlier_id IN ({evidence})", orgs),
        (f"DELETE FROM {q(MediaHash._meta.db_table)} WHERE evidence_id IN ({evidence})", orgs),
        (f"DELETE FROM {q(Resemblance._meta.db_table)} WHERE referral_id IN ({seqs})", orgs),
        *(
            (f"DELETE FROM {q(model._meta.db_table)} WHERE referral_id IN ({seqs})", orgs)
            for model in (TimelineEvent, Evidence, Decision, Target, Referral.holds.rel.related_model)
        ),
        (f"UPDATE {q(Subject._meta.db_table)} SET suspended_by_id = NULL WHERE suspended_by_id IN ({seqs})", orgs),
        *(
            (f"UPDATE {q(Referral._meta.db_table)} SET {column} = NULL WHERE {column} IN ({seqs})", orgs)
            for column in ("related_id", "renewal_of_id")
        ),
        (f"DELETE FROM {q(Referral._meta.db_table)} WHERE organisation_id IN ({marks})", orgs),
    ]
    if account_prefix or platforms:
        whose, whose_params = [], []
        if account_prefix:
            whose.append("s.account LIKE %s ESCAPE '!'")
            whose_params.append(account_prefix.replace("!", "!!").replace("_", "!_").replace("%", "!%") + "%")
        if platforms:
            whose.append(f"s.platform IN ({', '.join(['%s'] * len(platforms))})")
            whose_params += list(platforms)
        orphans = (
            f"SELECT id FROM {q(Subject._meta.db_table)} s WHERE ({' OR '.join(whose)}) AND NOT EXISTS "
            f"(SELECT 1 FROM {q(Target._meta.db_table)} t WHERE t.subject_id = s.id)"
        )
        # One column per statement: `a IN (…) OR b IN (…)` cannot become a semi-join, and with
        # more orphans than work_mem hashes PostgreSQL runs the subquery once per row.
        columns = [
            (Subject.linked.through, "from_subject_id"),
            (Subject.linked.through, "to_subject_id"),
            (SubjectLink, "subject_id"),
            (SubjectLink, "other_id"),
            (Resemblance, "subject_id"),
        ]
        # The orphans are found once (a scan of every subject), then read by each statement.
        kept = "SELECT id FROM bench_orphans"
        statements += [
            (f"CREATE TEMPORARY TABLE bench_orphans AS {orphans}", whose_params),
            (_suspended_links_drop(kept), []),
            *((f"DELETE FROM {q(m._meta.db_table)} WHERE {c} IN ({kept})", []) for m, c in columns),
            (f"DELETE FROM {q(Subject._meta.db_table)} WHERE id IN ({kept})", []),
            ("DROP TABLE bench_orphans", []),
        ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        subject_counts_recount()
