"""Reads for the reviewer's workbench: queues with their counts, work lists, subjects.

Platform roles only; everyone else gets empty querysets (so pages and the API answer 404).
Each list keeps a fixed number of queries whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.shortcuts import get_object_or_404
from django.utils import timezone

from portal.accounts.roles import is_queue_lead
from referrals.engine import routing
from referrals.engine.clock import AT_RISK_SHARE
from referrals.models import (
    STATEMENT_ACTIONS,
    AppealOutcome,
    Decision,
    Evidence,
    ExposureDay,
    Note,
    Queue,
    Referral,
    RoutingRule,
    StatementSubmission,
    Status,
    Subject,
    Target,
)
from referrals.review.permissions import (
    LEADS_ONLY_QUEUES,
    can_keep_notes,
    can_see_exposure,
    can_see_queues,
    can_see_statement_errors,
)

WORKLIST_STATUSES = (Status.ROUTED, Status.IN_REVIEW, Status.NEEDS_INFO)
WORKLIST_ORDER = ("-priority", "due_at", "received_at")
# Work list tabs: one status each, so the `referral_worklist` index serves the order.
WORKLIST_TABS = {
    "waiting": Status.ROUTED,
    "in_review": Status.IN_REVIEW,
    "needs_info": Status.NEEDS_INFO,
}


def queues_visible_to(user) -> QuerySet[Queue]:
    if not can_see_queues(user):
        return Queue.objects.none()
    if not is_queue_lead(user):
        return Queue.objects.exclude(slug__in=LEADS_ONLY_QUEUES)
    return Queue.objects.all()


def queue_for(user, slug: str) -> Queue:
    """The queue `slug` for pages and endpoints: 404 if there is none `user` may see."""
    return get_object_or_404(queues_visible_to(user), slug=slug)


class EpochSeconds(Func):
    """A timestamp as seconds since 1970, so clock arithmetic is plain numbers on every
    database (SQLite has no interval type)."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra
        )


def _at_risk(now: datetime) -> Q:
    """SQL for referrals.clock.Clock.is_at_risk: running, not yet due, and with at most
    AT_RISK_SHARE of the budget (receipt to due, less completed pauses) left."""
    due = EpochSeconds("due_at")
    remaining = due - Value(now.timestamp())
    budget = due - EpochSeconds("received_at") - F("paused_seconds")
    return Q(
        LessThanOrEqual(remaining, budget * Value(AT_RISK_SHARE)),
        status__in=(Status.ROUTED, Status.IN_REVIEW),
        due_at__gt=now,
        paused_at__isnull=True,
    )


@dataclass
class QueueSummary:
    queue: Queue
    open_count: int = 0
    waiting_count: int = 0
    breached_count: int = 0
    at_risk_count: int = 0
    oldest_due_at: datetime | None = None
    is_member: bool = False

    @property
    def slug(self) -> str:
        return self.queue.slug

    @property
    def name(self) -> str:
        return self.queue.name

    @property
    def sla_minutes(self) -> int:
        return self.queue.sla_minutes


def queue_summaries(user, *, now: datetime | None = None) -> list[QueueSummary]:
    """Every queue `user` may see with its open, waiting, breached and at-risk counts (three
    queries: queues, counts, memberships)."""
    now = now or timezone.now()
    queues = list(queues_visible_to(user))
    if not queues:
        return []
    at_risk = _at_risk(now)
    rows = (
        Referral.objects.filter(queue__in=queues, status__in=WORKLIST_STATUSES)
        .order_by()
        .values("queue_id")
        .annotate(
            open_count=Count("seq"),
            waiting_count=Count("seq", filter=Q(status=Status.ROUTED, assignee__isnull=True)),
            breached_count=Count("seq", filter=Q(breached=True)),
            at_risk_count=Count("seq", filter=at_risk & Q(breached=False)),
            oldest_due_at=Min("due_at"),
        )
    )
    counts = {row.pop("queue_id"): row for row in rows}
    member_of = set(user.queues.values_list("pk", flat=True))
    return [QueueSummary(queue=q, is_member=q.pk in member_of, **counts.get(q.pk, {})) for q in queues]


def worklist(user, queue: Queue, *, tab: str = "waiting") -> QuerySet[Referral]:
    """A queue's referrals in one status, highest priority first, then due, then received."""
    if not can_see_queues(user):
        return Referral.objects.none()
    from referrals.selectors import referrals_visible_to

    status = WORKLIST_TABS.get(tab, Status.ROUTED)
    return referrals_visible_to(user).filter(queue=queue, status=status).order_by(*WORKLIST_ORDER)


def assigned_to(user) -> QuerySet[Referral]:
    """The open referrals `user` is working on, most urgent first."""
    if not can_see_queues(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(assignee=user, status__in=WORKLIST_STATUSES)
        .select_related("organisation", "queue")
        # The list shows each one's first account: one query for all of them.
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("position")))
        .order_by(*WORKLIST_ORDER)
    )


# --- Subjects ----------------------------------------------------------------------------------


def subjects_visible_to(user) -> QuerySet[Subject]:
    if not can_see_queues(user):
        return Subject.objects.none()
    return Subject.objects.select_related("suspended_by")


SUBJECT_LIST_SIZE = 50


def subject_referrals(user, subject: Subject, *, before: int | None = None) -> QuerySet[Referral]:
    """The latest SUBJECT_LIST_SIZE referrals naming `subject`, newest first; with `before`, those
    numbered below it (the next page). The numbers come from the `(subject, referral)` index
    read backwards, so a hyper account costs no more than a subject named once; the total is
    `subject.referral_count`."""
    if not can_see_queues(user):
        return Referral.objects.none()
    numbers = Target.objects.filter(subject=subject)
    if before is not None:
        numbers = numbers.filter(referral_id__lt=before)
    latest = numbers.order_by("-referral_id").values("referral_id").distinct()[:SUBJECT_LIST_SIZE]
    return Referral.objects.filter(seq__in=latest).select_related("organisation", "queue").order_by("-seq")


def subject_linked(user, subject: Subject) -> QuerySet[Subject]:
    """Subjects co-named with `subject` in a referral, each with its `referral_count`, in the
    order of the link index (by id), so the first SUBJECT_LIST_SIZE are read without sorting
    every link of a hyper account (37,303 at a million referrals). Callers slice it."""
    if not can_see_queues(user):
        return Subject.objects.none()
    return subject.linked.order_by("id")


def subject_linked_count(user, subject: Subject) -> int:
    """How many subjects are linked to `subject`: counted on the link table's index alone."""
    if not can_see_queues(user):
        return 0
    return Subject.linked.through.objects.filter(from_subject_id=subject.pk).count()


LINKED_PREVIEW = 20


def referral_subjects(user, referral: Referral) -> list[dict]:
    """For the reviewer panel: each subject the referral names, its other referrals (latest
    ten) and its first linked subjects (a hyper account has tens of thousands; the subject page
    pages through them). A fixed number of queries whatever the counts."""
    if not can_see_queues(user):
        return []
    subjects = list(Subject.objects.filter(targets__referral=referral).distinct().order_by("platform", "account"))
    ids = [s.pk for s in subjects]
    others: dict = {s: [] for s in ids}
    rows = (
        Target.objects.filter(subject_id__in=ids)
        .exclude(referral_id=referral.pk)
        .select_related("referral")
        .order_by("-referral_id")
    )
    for target in rows[:500]:
        bucket = others[target.subject_id]
        if len(bucket) < 10 and all(r.pk != target.referral_id for r in bucket):
            bucket.append(target.referral)
    # One row number per subject's links, read in link-index order, keeps each list short.
    Link = Subject.linked.through
    links = (
        Link.objects.filter(from_subject_id__in=ids)
        .annotate(n=Window(RowNumber(), partition_by=F("from_subject_id"), order_by=F("to_subject_id").asc()))
        .filter(n__lte=LINKED_PREVIEW + 1)
        .select_related("to_subject")
    )
    linked: dict = {s: [] for s in ids}
    for link in links:
        linked[link.from_subject_id].append(link.to_subject)
    return [
        {
            "subject": s,
            "referrals": others[s.pk],
            "linked": linked[s.pk][:LINKED_PREVIEW],
            "linked_more": len(linked[s.pk]) > LINKED_PREVIEW,
        }
        for s in subjects
    ]


# --- Routing rules ----------------------------------------------------------------------------


def rules_visible_to(user) -> QuerySet[RoutingRule]:
    if not can_see_queues(user):
        return RoutingRule.objects.none()
    return RoutingRule.objects.select_related("queue").order_by("order", "pk")


def routing_explain(user, facts: routing.Facts):
    """The "try it" box: every rule in order, whether it matches and why, and the decision."""

    table = routing_table_load()
    return routing.explain(facts, table.rules), routing.route(facts, table.rules, table.sla_minutes)


@dataclass(frozen=True)
class RoutingTable:
    rules: tuple[routing.Rule, ...]
    sla_minutes: dict[str, int]
    queues: dict[str, Queue]


def rule_from_model(rule: RoutingRule, queue_slug: str | None = None) -> routing.Rule:
    return routing.Rule(
        name=rule.name,
        queue=queue_slug or rule.queue.slug,
        order=rule.order,
        kinds=frozenset(rule.kinds or ()),
        categories=frozenset(rule.categories or ()),
        severities=frozenset(rule.severities or ()),
        countries=frozenset(rule.countries or ()),
        languages=frozenset(rule.languages or ()),
        submitter_kinds=frozenset(rule.submitter_kinds or ()),
        trusted_flagger=rule.trusted_flagger,
        priority_boost=rule.priority_boost,
        enabled=rule.enabled,
    )


def routing_table_load() -> RoutingTable:
    """The rules and queues as the engine wants them (two queries)."""
    queues = {q.slug: q for q in Queue.objects.all()}
    by_id = {q.pk: q.slug for q in queues.values()}
    rules = tuple(rule_from_model(r, by_id[r.queue_id]) for r in RoutingRule.objects.all())
    return RoutingTable(rules=rules, sla_minutes={s: q.sla_minutes for s, q in queues.items()}, queues=queues)


# --- Statements of reasons (SPEC §22) ------------------------------------------------------------


def decisions_owing_statements() -> QuerySet[Decision]:
    """Every decision that owes the DSA Transparency Database a statement of reasons (it
    restricts something, was not copied from another referral's decision and was not
    reversed on appeal, SPEC §16), in the order decided, with what the statement reads: three
    queries for any number of them."""
    return (
        Decision.objects.filter(applied_from__isnull=True, action__in=sorted(STATEMENT_ACTIONS))
        .exclude(appeals__outcome=AppealOutcome.REVERSED)
        .select_related("referral__organisation")
        .prefetch_related(
            Prefetch("referral__evidence", queryset=Evidence.objects.only("id", "referral_id", "content_type")),
            Prefetch(
                "referral__targets",
                queryset=Target.objects.only("id", "referral_id", "position", "platform", "content_id", "posted_at"),
            ),
        )
        .order_by("decided_at", "id")
    )


def statements_visible_to(user) -> QuerySet[Decision]:
    """The batch export's decisions: platform roles only."""
    if not can_see_queues(user):
        return Decision.objects.none()
    return decisions_owing_statements()


def statement_submission(user, decision: Decision | None) -> StatementSubmission | None:
    """Where `decision`'s statement is on its way to the database (None: not enrolled yet)."""
    if decision is None or not can_see_queues(user):
        return None
    return StatementSubmission.objects.filter(decision=decision).first()


def unsent_statements(user) -> QuerySet[StatementSubmission]:
    """Statements not (yet) in the database, for queue leads: refused ones first, then by the
    time decided."""
    if not can_see_statement_errors(user):
        return StatementSubmission.objects.none()
    refused_first = Case(
        When(state=StatementSubmission.State.REFUSED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        StatementSubmission.objects.exclude(state=StatementSubmission.State.SENT)
        .select_related("decision__referral")
        .order_by(refused_first, "decided_at", "pk")
    )


def statement_counts(user) -> dict[str, int]:
    """How many statements are refused, waiting (or being sent) and sent: for queue leads
    (one query); empty for everyone else."""
    if not can_see_statement_errors(user):
        return {}
    State = StatementSubmission.State
    return StatementSubmission.objects.aggregate(
        refused=Count("pk", filter=Q(state=State.REFUSED)),
        waiting=Count("pk", filter=Q(state__in=[State.PENDING, State.SENDING])),
        sent=Count("pk", filter=Q(state=State.SENT)),
    )


# --- Team notes (SPEC §15) ----------------------------------------------------------------------


def notes_visible_to(user) -> QuerySet[Note]:
    """Notes are the platform's own: every platform role reads them, nobody else any."""
    if not can_keep_notes(user):
        return Note.objects.none()
    return Note.objects.select_related("author")


def referral_notes(user, referral: Referral) -> QuerySet[Note]:
    """The notes on `referral`, oldest first (one query, the authors joined)."""
    return notes_visible_to(user).filter(referral=referral).order_by("at", "pk")


# --- Exposure to evidence (SPEC §15) ----------------------------------------------------------


def exposure_of(user, day) -> ExposureDay | None:
    """The person's own counts of reveals and downloads on `day` (None: nothing yet)."""
    if not can_see_queues(user):
        return None
    return ExposureDay.objects.filter(user=user, day=day).first()


def exposure_by_member(user, day, *, limit: int) -> QuerySet[ExposureDay]:
    """Leads only: each platform member's counts on `day`, most exposed first, with `total`
    and `past_limit` (more than `limit` reveals and downloads together)."""
    if not can_see_exposure(user):
        return ExposureDay.objects.none()
    total = F("reveals") + F("downloads")
    return (
        ExposureDay.objects.filter(day=day)
        .select_related("user")
        .annotate(
            total=total,
            past_limit=Case(When(GreaterThan(total, limit), then=True), default=False, output_field=BooleanField()),
        )
        .order_by("-total", "user__email")
    )


# How far down a work list the review page looks for the referral's neighbours (`j`/`k`).
NEIGHBOUR_WINDOW = 500


def worklist_neighbours(user, referral: Referral) -> tuple[str | None, str | None]:
    """The references before and after `referral` in its queue's work list, in the list's
    order, for the review page's `k`/`j` (SPEC §15): one query over the list's first
    NEIGHBOUR_WINDOW rows; (None, None) outside them, or for someone who cannot work it."""
    queue = referral.queue
    if queue is None or referral.status not in WORKLIST_STATUSES or not can_see_queues(user):
        return None, None
    from referrals.selectors import referrals_visible_to

    rows = (
        referrals_visible_to(user)
        .filter(queue=queue, status__in=WORKLIST_STATUSES)
        .order_by(*WORKLIST_ORDER, "seq")
        .values_list("seq", "received_at")[:NEIGHBOUR_WINDOW]
    )
    references = [Referral(seq=seq, received_at=received_at).reference for seq, received_at in rows]
    try:
        at = references.index(referral.reference)
    except ValueError:
        return None, None
    return (references[at - 1] if at > 0 else None), (references[at + 1] if at + 1 < len(references) else None)
