"""Reads of referrals, always scoped to the acting user (SPEC §2, the access rule)."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from portal.accounts.roles import PLATFORM_ROLES, membership_of
from referrals.models import (
    Appeal,
    AppealSource,
    BulkJob,
    Evidence,
    Message,
    Referral,
    Status,
    Subject,
    Target,
    TimelineEvent,
    seq_from_reference,
)
from referrals.permissions import SUBMITTER_ROLES
from referrals.timeline_text import shown

PLATFORM_REVIEWER = gettext_lazy("Platform reviewer")
# The filer of a signal raised by a detector rather than a person (SPEC §14).
SURFACING = gettext_lazy("Surfacing")
# The key of a timeline event's data that keeps the event from everyone but platform roles.
PLATFORM_ONLY = "platform_only"

# What each timeline event type is called on the referral page (the API keeps the type).
EVENT_LABELS = {
    "received": pgettext_lazy("timeline event", "Received"),
    "routed": pgettext_lazy("timeline event", "Routed"),
    "duplicate": pgettext_lazy("timeline event", "Duplicate"),
    "claimed": pgettext_lazy("timeline event", "Claimed"),
    "released": pgettext_lazy("timeline event", "Released"),
    "reassigned": pgettext_lazy("timeline event", "Reassigned"),
    "info_requested": pgettext_lazy("timeline event", "Info requested"),
    "info_provided": pgettext_lazy("timeline event", "Info provided"),
    "evidence_added": pgettext_lazy("timeline event", "Evidence added"),
    "note": pgettext_lazy("timeline event", "Note"),
    "escalated": pgettext_lazy("timeline event", "Escalated"),
    "breached": pgettext_lazy("timeline event", "Breached"),
    "decided": pgettext_lazy("timeline event", "Decided"),
    "withdrawn": pgettext_lazy("timeline event", "Withdrawn"),
    "preservation_expiring": pgettext_lazy("timeline event", "Preservation expiring"),
    "preservation_released": pgettext_lazy("timeline event", "Preservation released"),
    "renewal_requested": pgettext_lazy("timeline event", "Renewal requested"),
    # The TCO Regulation's hold on a removal order's content (SPEC §17).
    "tco_hold_placed": pgettext_lazy("timeline event", "Content held (TCO Art. 6)"),
    "tco_hold_renewed": pgettext_lazy("timeline event", "Hold renewed"),
    "message": pgettext_lazy("timeline event", "Message"),
    "production_delivered": pgettext_lazy("timeline event", "Data delivered"),
    # Redress (SPEC §16); complaints and their outcome are platform-only events.
    "appealed": pgettext_lazy("timeline event", "Appealed"),
    "appeal_decided": pgettext_lazy("timeline event", "Appeal decided"),
    "complaint": pgettext_lazy("timeline event", "Complaint recorded"),
    "complaint_decided": pgettext_lazy("timeline event", "Complaint decided"),
    "decision_reversed": pgettext_lazy("timeline event", "Decision reversed"),
    "restriction_ended": pgettext_lazy("timeline event", "Restriction ended"),
    # Paging (SPEC §17): platform-only events.
    "paged": pgettext_lazy("timeline event", "Paged"),
    "repaged": pgettext_lazy("timeline event", "Leads alerted again"),
}


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Platform roles see every referral; NGO members and liaisons their organisation's;
    anyone else (anonymous, no organisation) none. Lists keep a fixed number of queries."""
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return Referral.objects.none()
    qs = Referral.objects.select_related("organisation", "queue", "decision").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("position"))
    )
    qs = _with_notifier_appeal(qs)
    if membership.role in PLATFORM_ROLES:
        known = Evidence.objects.filter(
            sha256=OuterRef("sha256"), referral__status=Status.ACTIONED, referral_id__lt=OuterRef("referral_id")
        )
        # Or a file matching a hash list another platform shared (SPEC §18): the same query.
        known_content = ExpressionWrapper(Q(shared_hash__isnull=False) | Exists(known), output_field=BooleanField())
        evidence = Evidence.objects.annotate(known_content=known_content).order_by("uploaded_at", "pk")
        return (
            qs.select_related("assignee")
            .prefetch_related(Prefetch("evidence", queryset=evidence))
            .annotate(related_count=_related_count())
        )
    qs = qs.prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")))
    if membership.role in SUBMITTER_ROLES:
        return qs.filter(organisation_id=membership.organisation_id)
    return Referral.objects.none()


def _with_notifier_appeal(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """The notifier's appeal of each referral (at most one, SPEC §16) as three annotations read
    through its unique index: the API's `appeal` costs no query per row (redress.selectors.appeal_brief)."""
    appeal = Appeal.objects.filter(referral_id=OuterRef("seq"), source=AppealSource.NOTIFIER)
    return qs.annotate(
        notifier_appeal_id=Subquery(appeal.values("id")[:1]),
        notifier_appeal_outcome=Subquery(appeal.values("outcome")[:1]),
        notifier_appeal_decided_at=Subquery(appeal.values("decided_at")[:1]),
    )


def referrals_as_submitters_read() -> QuerySet[Referral]:
    """Referrals joined as their submitting organisation reads them through the API (the
    partner's view of referrals_visible_to), for what is sent to that organisation with no
    user acting: its webhooks (SPEC §19). The caller picks a referral of that organisation."""
    qs = Referral.objects.select_related("organisation", "queue", "decision").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("position")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
    )
    return _with_notifier_appeal(qs)


def _related_count():
    """Other referrals naming this referral's subjects: the sum over its subjects of
    (Subject.referral_count − 1). One indexed lookup per row, however many referrals name a
    subject. Exact for a referral naming one subject; another referral naming two of the
    same subjects counts once per shared subject."""
    named = Target.objects.filter(referral_id=OuterRef(OuterRef("seq"))).values("subject_id")
    others = (
        Subject.objects.filter(pk__in=named)
        .order_by()
        .annotate(n=Func(F("referral_count") - 1, function="SUM"))
        .values("n")
    )
    return Coalesce(Subquery(others, output_field=IntegerField()), Value(0))


def referral_for_reference(user, reference: str) -> Referral | None:
    """The referral `R-YYYY-NNNNNN` if `user` may see it (the year must match too)."""
    seq = seq_from_reference(reference)
    if seq is None:
        return None
    referral = referrals_visible_to(user).filter(seq=seq).first()
    if referral is None or referral.reference != reference.strip().upper():
        return None
    return referral


def referral_search(qs: QuerySet[Referral], text: str) -> QuerySet[Referral]:
    """The page's search box: a reference (`R-2026-000123`) or an account handle (`@someone`)."""
    text = text.strip()
    if not text:
        return qs
    seq = seq_from_reference(text)
    if seq is not None:
        return qs.filter(seq=seq)
    account = text.lstrip("@").lower()
    return qs.filter(Exists(Target.objects.filter(referral_id=OuterRef("seq"), account=account)))


def referrals_naming(qs: QuerySet[Referral], *, subject_id) -> QuerySet[Referral]:
    """The referrals of `qs` with a target on that subject."""
    return qs.filter(seq__in=Target.objects.filter(subject_id=subject_id).values("referral_id"))


def referral_status_counts(user) -> dict[str, int]:
    rows = referrals_visible_to(user).order_by().values("status").annotate(n=Count("seq"))
    counts = {s.value: 0 for s in Status}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def referral_recent_decisions(user, limit: int = 5) -> QuerySet[Referral]:
    return referrals_visible_to(user).filter(decided_at__isnull=False).order_by("-decided_at")[:limit]


# --- Timeline --------------------------------------------------------------------------------


def referral_events(user, referral: Referral) -> list[dict]:
    """The timeline as `[{at, type, actor, message}]`; partners see platform staff as
    "Platform reviewer", never a name or address, and no event marked `platform_only` in its
    data (an escalation, SPEC §15): the page and the API both read the timeline here."""
    platform_viewer = membership_of(user) is not None and membership_of(user).role in PLATFORM_ROLES
    events = TimelineEvent.objects.filter(referral=referral).select_related("actor__membership").order_by("at", "pk")
    if not platform_viewer:
        events = [e for e in events if not is_platform_only(e)]
    return [
        {
            "at": e.at,
            "type": e.type,
            "label": event_label(e.type),
            "actor": str(SURFACING) if _by_detector(referral, e) else _actor_label(e.actor, platform_viewer),
            "message": _message(e, platform_viewer),
        }
        for e in events
    ]


def is_platform_only(event: TimelineEvent) -> bool:
    """Whether the event is internal to the platform (`platform_only` in its data)."""
    return isinstance(event.data, dict) and bool(event.data.get(PLATFORM_ONLY))


def event_label(type: str) -> str:
    """The name of a timeline event type; a type without one (none today) reads as its words."""
    label = EVENT_LABELS.get(type)
    return str(label) if label is not None else type.replace("_", " ").capitalize()


def _message(event: TimelineEvent, platform_viewer: bool) -> str:
    """Platform roles read the `platform_message` of an event that has one (the other
    referral that closed this one, SPEC §4.5-4.6); everyone else the submitter's `message`."""
    data = event.data if isinstance(event.data, dict) else {}
    if platform_viewer and "platform_message" in data:
        return shown(data["platform_message"], data.get("platform_said"))
    return shown(event.message, data.get("said"))


def _by_detector(referral: Referral, event: TimelineEvent) -> bool:
    """The receipt of a signal a surfacing detector raised: no person filed it (SPEC §14)."""
    return event.type == "received" and event.actor_id is None and referral.raised_by_detector


def _actor_label(actor, platform_viewer: bool) -> str:
    if actor is None:
        return _("System")
    try:
        role = actor.membership.role
    except Exception:  # no membership: an administrator acting through the admin
        role = None
    if platform_viewer:
        return actor.email
    if role in PLATFORM_ROLES or role is None:
        return str(PLATFORM_REVIEWER)
    return actor.display_name


# --- Messages (SPEC §17) -------------------------------------------------------------------------


def referral_messages(user, referral: Referral) -> list[dict]:
    """The messages of `referral` (fetched in scope), oldest first, as `[{at, from, body, mine}]`
    for its submitting organisation and platform roles; anyone else reads none. Only platform
    roles learn who wrote each (`author`, an address, and `author_name`): partners read the
    platform's side as "Platform reviewer" (`from: "platform"`) and never a name."""
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return []
    platform_viewer = membership.role in PLATFORM_ROLES
    own = membership.role in SUBMITTER_ROLES and membership.organisation_id == referral.organisation_id
    if not (platform_viewer or own):
        return []
    rows = Message.objects.filter(referral=referral).order_by("at", "pk")
    if platform_viewer:
        rows = rows.select_related("author")
    messages = []
    for m in rows:
        item = {"at": m.at, "from": m.side, "body": m.body, "mine": m.author_id is not None and m.author_id == user.pk}
        if platform_viewer:
            item["author"] = m.author.email if m.author is not None else None
            item["author_name"] = m.author.display_name if m.author is not None else None
        messages.append(item)
    return messages


# --- Evidence ---------------------------------------------------------------------------------


def evidence_visible_to(user) -> QuerySet[Evidence]:
    return Evidence.objects.filter(referral__in=referrals_visible_to(user).values("seq")).select_related("referral")


# --- Bulk jobs ------------------------------------------------------------------------------


def bulk_jobs_of(user) -> QuerySet[BulkJob]:
    """Jobs are visible to their owner only."""
    if not getattr(user, "is_authenticated", False):
        return BulkJob.objects.none()
    return BulkJob.objects.filter(owner=user).defer("items")


def is_platform_staff(user) -> bool:
    membership = membership_of(user)
    return bool(membership and membership.role in PLATFORM_ROLES)
