"""Referrals and everything hanging off them: targets, subjects, evidence, decisions, queues.

The enums live in referrals.choices and are imported from here; their values are the API
contract (SPEC §3, §4.6). Status is assigned only by referrals.services; models hold data,
constraints and indexes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.countries import validate_country_code
from referrals.choices import Action, Category, Detector, Ground, Kind, Severity, Status
from referrals.choices import HashType as HashType
from referrals.choices import HoldBasis as HoldBasis
from referrals.choices import IncidentLevel as IncidentLevel
from referrals.choices import IncidentStatus as IncidentStatus
from referrals.choices import MessageSide as MessageSide
from referrals.choices import RequestedData as RequestedData

LEGAL_KINDS = frozenset({Kind.REMOVAL_ORDER, Kind.PRESERVATION_REQUEST, Kind.EMERGENCY_REQUEST})
LAW_ENFORCEMENT_KINDS = LEGAL_KINDS | {Kind.LE_REFERRAL}
# Kinds that a decision on a subject may close on its behalf (SPEC §4.6), and that routing
# may close as duplicates (SPEC §4.5). Legal kinds always reach a person.
SUBJECT_CLOSABLE_KINDS = frozenset({Kind.NOTICE, Kind.LE_REFERRAL})


CLOSED_STATUSES = frozenset({Status.ACTIONED, Status.NO_VIOLATION, Status.REJECTED, Status.DUPLICATE, Status.WITHDRAWN})
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)
DECIDED_STATUSES = frozenset({Status.ACTIONED, Status.NO_VIOLATION, Status.REJECTED})


# Decisions that restrict something, and so owe the DSA Transparency Database a statement of
# reasons (SPEC §22); the others (no action, data preserved or disclosed, unable to comply) do not.
STATEMENT_ACTIONS = frozenset(
    {Action.ACCOUNT_SUSPENDED, Action.CONTENT_REMOVED, Action.CONTENT_RESTRICTED, Action.LABEL_APPLIED}
)


class Queue(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    sla_minutes = models.PositiveIntegerField()
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="queues")

    class Meta:
        ordering = ["sla_minutes", "name"]

    def __str__(self):
        return self.name


class RoutingRule(models.Model):
    """One rule of the routing table; conditions are lists meaning "any of" (empty: any)."""

    order = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="rules")
    kinds = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    severities = models.JSONField(default=list, blank=True)
    countries = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    submitter_kinds = models.JSONField(default=list, blank=True)
    trusted_flagger = models.BooleanField(null=True, blank=True)
    priority_boost = models.IntegerField(default=0)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.order}. {self.name}"


class Subject(models.Model):
    """One account on one platform, shared by every referral that names it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.CharField(max_length=100)
    account = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey("Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    linked = models.ManyToManyField("self", blank=True, symmetrical=True)
    # How many referrals name this account (a referral naming it twice counts once). Kept by
    # intake with atomic increments (subject_counts_add) so lists never count targets per row.
    referral_count = models.PositiveIntegerField(default=0, editable=False)
    # How many of its co-referral links (SubjectLink) lead to a suspended account, kept exact
    # where links are added and accounts suspended or reinstated (referrals.models.surfacing),
    # so a hub's suspended neighbours are never counted over its tens of thousands of links.
    # 0 in the database too, for writers of raw rows.
    suspended_links = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # What the platform's own systems last said the account calls itself (SPEC §14), and the
    # handle and that name folded for look-alike matching (referrals.engine.folding).
    # Empty by default in the database too, for writers of raw rows (the load generator).
    display_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    folded_account = models.CharField(max_length=200, blank=True, editable=False, default="", db_default="")
    folded_name = models.CharField(max_length=200, blank=True, editable=False, default="", db_default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "account"], name="subject_unique_account")]

    def __str__(self):
        return f"{self.platform}:{self.account}"

    @property
    def status(self) -> str:
        return "suspended" if self.suspended_at else "active"


class Referral(models.Model):
    # The sequence number makes the human reference without a counter row to contend on;
    # `id` (a UUID) is the only identifier the API exposes.
    seq = models.BigAutoField(primary_key=True)
    id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    category = models.CharField(max_length=24, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    explanation = models.TextField()
    language = models.CharField(max_length=2, blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[validate_country_code])
    good_faith_confirmed = models.BooleanField(default=False)
    authority_reference = models.CharField(max_length=120, blank=True)
    legal_basis = models.CharField(max_length=300, blank=True)
    issuing_authority = models.CharField(max_length=200, blank=True)
    legal_grounds = models.JSONField(default=list, blank=True)
    preserve_until = models.DateField(null=True, blank=True)
    renewal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals")

    organisation = models.ForeignKey("partners.Organisation", on_delete=models.PROTECT, related_name="referrals")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="submitted_referrals"
    )
    received_at = models.DateTimeField(default=timezone.now)
    routed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0, help_text=_("Total time the clock was paused"))
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField(default=False)

    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    priority = models.IntegerField(default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_referrals"
    )
    routing_reasons = models.JSONField(default=list, blank=True)
    related = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The earlier decision a duplicate or subject-wide closure points to"),
    )
    # Signals only (SPEC §14): what raised it, why in sentences for reviewers, and for a
    # detector's signal the account it surfaced (one open signal per account).
    detector = models.CharField(max_length=16, choices=Detector.choices, blank=True)
    signal_reasons = models.JSONField(default=list, blank=True)
    # An emergency request's description of the danger (SPEC §17); empty for other kinds.
    threat_description = models.TextField(blank=True)
    persons_at_risk = models.TextField(blank=True)
    requested_data = models.JSONField(default=list, blank=True)
    attestation = models.BooleanField(default=False)
    # Paging (SPEC §17): when the queue and the leads were alerted to an emergency request or a
    # removal order, and when the leads were alerted again because nobody had claimed it.
    paged_at = models.DateTimeField(null=True, blank=True)
    repaged_at = models.DateTimeField(null=True, blank=True)
    # The active incident routing matched it to (SPEC §18); kept after the incident closes.
    incident = models.ForeignKey(
        "referrals.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    surfaced_subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="surfaced_by"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            # "My referrals": an organisation's list, newest first, optionally by status.
            models.Index(fields=["organisation", "-seq"], name="referral_org_recent"),
            models.Index(fields=["organisation", "status", "-seq"], name="referral_org_status"),
            # Work lists: a queue's open items in priority order.
            models.Index(fields=["queue", "status", "-priority", "due_at", "received_at"], name="referral_worklist"),
            models.Index(fields=["assignee", "status"], name="referral_assignee"),
            # Sweeper and deadline watch scan only open rows.
            models.Index(fields=["received_at"], name="referral_received_sweep", condition=Q(status="received")),
            models.Index(
                fields=["due_at"],
                name="referral_due_open",
                condition=Q(status__in=["routed", "in_review"], breached=False),
            ),
            models.Index(fields=["received_at", "kind"], name="referral_received_kind"),
            models.Index(fields=["decided_at"], name="referral_decided"),
            # The paging banner and the second alert read only paged, unclaimed, open referrals.
            models.Index(
                fields=["paged_at"],
                name="referral_paged_unclaimed",
                condition=Q(paged_at__isnull=False, assignee__isnull=True, status__in=["routed", "needs_info"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["surfaced_subject"],
                name="referral_one_open_signal",
                condition=Q(surfaced_subject__isnull=False) & ~Q(status__in=sorted(CLOSED_STATUSES)),
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.received_at:%Y}-{self.seq:06d}" if self.seq else "R-(unsaved)"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_legal(self) -> bool:
        return self.kind in LEGAL_KINDS

    @property
    def is_law_enforcement(self) -> bool:
        return self.kind in LAW_ENFORCEMENT_KINDS

    @property
    def raised_by_detector(self) -> bool:
        """A signal raised by a surfacing detector, not by a person (its actor is "Surfacing")."""
        return self.kind == Kind.SIGNAL and bool(self.detector) and self.detector != Detector.MANUAL


def seq_from_reference(reference: str) -> int | None:
    """`R-2026-000123` → 123; None when it is not a reference."""
    parts = reference.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != "R" or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[2])


class Target(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="targets")
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="targets")
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(max_length=2000, blank=True)
    platform = models.CharField(max_length=100)
    account = models.CharField(max_length=200, blank=True)
    content_id = models.CharField(max_length=200, blank=True)
    # When the content was posted, if the submitter said: the statement of reasons' content date.
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["subject", "referral"], name="target_subject")]

    def __str__(self):
        return self.url or f"{self.platform}:{self.account}"


class Evidence(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="evidence")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=80)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    # A hash of another platform's list (SPEC §18) this file matches: it is known content.
    shared_hash = models.ForeignKey(
        "referrals.SharedHash", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class Decision(models.Model):
    class NonComplianceReason(models.TextChoices):
        FORCE_MAJEURE = "force_majeure", _("Force majeure or de facto impossibility")
        MANIFEST_ERROR = "manifest_error", _("Manifest error in the order")
        INSUFFICIENT_INFORMATION = "insufficient_information", _("Insufficient information")

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="decision")
    action = models.CharField(max_length=24, choices=Action.choices)
    ground = models.CharField(max_length=8, choices=Ground.choices)
    policy = models.CharField(max_length=300)
    statement_of_reasons = models.TextField()
    territorial_scope = models.JSONField(default=list, blank=True)
    restriction_end = models.DateField(null=True, blank=True)
    apply_to_subject = models.BooleanField(default=True)
    non_compliance_reason = models.CharField(max_length=32, choices=NonComplianceReason.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    on_time = models.BooleanField(null=True)
    applied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applied_to",
        help_text=_("Set when this decision was copied from another referral's decision on the same subject"),
    )

    class Meta:
        indexes = [
            # The statements of reasons in the order decided: one per restricting decision that
            # was not copied from another (SPEC §22).
            models.Index(
                fields=["decided_at", "id"],
                name="decision_statements",
                condition=Q(applied_from__isnull=True, action__in=sorted(STATEMENT_ACTIONS)),
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} on {self.referral}"


class StatementSubmission(models.Model):
    """One decision's statement of reasons on its way to the DSA Transparency Database
    (SPEC §22): waiting, being sent (claimed by one run until `claimed_at` + the lease),
    in the database under `database_id`, or refused with the database's `errors`."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("In the database")
        REFUSED = "refused", _("Refused by the database")

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="submission")
    puid = models.CharField(max_length=120, unique=True)
    decided_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    in_doubt = models.BooleanField(
        default=False, help_text=_("A send may have reached the database unanswered: ask it before sending again")
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    errors = models.JSONField(default=dict, blank=True)
    database_id = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="statement_due", condition=Q(state__in=["pending", "sending"])
            ),
            models.Index(fields=["decided_at"], name="statement_decided"),
            models.Index(fields=["state", "decided_at"], name="statement_state"),
        ]

    def __str__(self):
        return f"Statement {self.puid} ({self.state})"


class TimelineEvent(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    type = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="timeline_referral")]

    def __str__(self):
        return f"{self.type} at {self.at:%Y-%m-%d %H:%M}"


# --- Subject.referral_count ---------------------------------------------------------------------


def subject_counts_add(counts: dict) -> None:
    """Add `counts` ({subject pk: referrals newly naming it}) to Subject.referral_count, inside
    the caller's transaction. The rows are locked in primary-key order first, so two
    transactions adding to overlapping subjects wait for each other instead of deadlocking."""
    counts = {pk: n for pk, n in counts.items() if n}
    if not counts:
        return
    list(Subject.objects.filter(pk__in=counts).order_by("pk").select_for_update().values_list("pk", flat=True))
    by_n: dict[int, list] = {}
    for pk, n in counts.items():
        by_n.setdefault(n, []).append(pk)
    for n, pks in by_n.items():
        Subject.objects.filter(pk__in=pks).update(referral_count=models.F("referral_count") + n)


def subject_counts_recount(*, seq_from: int | None = None, seq_to: int | None = None) -> None:
    """Recompute Subject.referral_count from the targets in one UPDATE … FROM aggregate.

    With no bounds every subject is set to its count. With `seq_from`/`seq_to` (inclusive),
    the referrals in that range are *added* (for writers that bypass intake, such as the
    load generator, which writes whole blocks of new referral numbers)."""
    from django.db import connection

    q = connection.ops.quote_name
    subject, target = q(Subject._meta.db_table), q(Target._meta.db_table)
    if seq_from is None and seq_to is None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {subject} SET referral_count = 0 WHERE referral_count <> 0 AND NOT EXISTS "  # noqa: S608 (quoted table names)
                f"(SELECT 1 FROM {target} t WHERE t.subject_id = {subject}.id)"
            )
            cursor.execute(
                f"UPDATE {subject} SET referral_count = c.n FROM (SELECT subject_id, COUNT(DISTINCT referral_id) AS n "  # noqa: S608 (quoted table names)
                f"FROM {target} WHERE subject_id IS NOT NULL GROUP BY subject_id) AS c "
                f"WHERE {subject}.id = c.subject_id AND {subject}.referral_count <> c.n"
            )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {subject} SET referral_count = {subject}.referral_count + c.n FROM (SELECT subject_id, "  # noqa: S608 (quoted table names)
            f"COUNT(DISTINCT referral_id) AS n FROM {target} WHERE subject_id IS NOT NULL AND referral_id >= %s "
            f"AND referral_id <= %s GROUP BY subject_id) AS c WHERE {subject}.id = c.subject_id",
            [seq_from if seq_from is not None else 0, seq_to if seq_to is not None else 2**62],
        )


# The workbench's models (SPEC §15), surfacing's (SPEC §14: look-alike matches, image hashes,
# co-referral links), redress's (SPEC §16: appeals and complaints) and the exchange with law
# enforcement's (SPEC §17: messages, productions, outbound notices) live beside, in modules of
# their own.
from referrals.models.appeals import Appeal as Appeal  # noqa: E402
from referrals.models.appeals import AppealOutcome as AppealOutcome  # noqa: E402
from referrals.models.appeals import AppealSource as AppealSource  # noqa: E402
from referrals.models.appeals import AppealStatus as AppealStatus  # noqa: E402
from referrals.models.crisis import Bulletin as Bulletin  # noqa: E402
from referrals.models.crisis import Incident as Incident  # noqa: E402
from referrals.models.crisis import SharedHash as SharedHash  # noqa: E402
from referrals.models.exchange import Message as Message  # noqa: E402
from referrals.models.exchange import OutboundNotice as OutboundNotice  # noqa: E402
from referrals.models.exchange import Production as Production  # noqa: E402
from referrals.models.holds import PreservationHold as PreservationHold  # noqa: E402
from referrals.models.jobs import BulkJob as BulkJob  # noqa: E402
from referrals.models.jobs import IdempotencyRecord as IdempotencyRecord  # noqa: E402
from referrals.models.surfacing import MediaHash as MediaHash  # noqa: E402
from referrals.models.surfacing import MediaMatch as MediaMatch  # noqa: E402
from referrals.models.surfacing import Resemblance as Resemblance  # noqa: E402
from referrals.models.surfacing import SubjectLink as SubjectLink  # noqa: E402
from referrals.models.workbench import DecisionTemplate as DecisionTemplate  # noqa: E402
from referrals.models.workbench import ExposureDay as ExposureDay  # noqa: E402
from referrals.models.workbench import Note as Note  # noqa: E402
