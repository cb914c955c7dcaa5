"""Filing referrals (SPEC §3): validation per kind and role, subjects, the timeline, routing.

`referral_clean` is the one validation used by the form, the API and bulk import, so a row
that a CSV refuses is refused in the same words as a single filing.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from partners.models import Organisation
from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.queueing import enqueue_on_commit
from referrals.engine import clock, legal, normalise
from referrals.intake.services.evidence import Inspected, evidence_store
from referrals.models import (
    LAW_ENFORCEMENT_KINDS,
    LEGAL_KINDS,
    Category,
    Kind,
    Referral,
    Severity,
    Status,
    Subject,
    Target,
    subject_counts_add,
)
from referrals.permissions import can_reply, can_withdraw, is_submitting_member, kinds_filable_by
from referrals.review.services.claims import referral_clock_resume
from referrals.services.codes import COUNTRIES, LANGUAGES
from referrals.services.notify import referral_notify_status
from referrals.services.timeline import timeline_add, timeline_add_many, timeline_event

EXPLANATION_MIN, EXPLANATION_MAX = 20, 5000
TARGETS_MAX = 100
PRESERVE_DEFAULT_DAYS = 90
PRESERVE_MAX_DAYS = 365
CLOCK_KINDS = frozenset({Kind.REMOVAL_ORDER, Kind.EMERGENCY_REQUEST})
TEXT_LIMITS = {"authority_reference": 120, "legal_basis": 300, "issuing_authority": 200}
_TRUE = {"true", "1", "yes", "on", "y"}
_FALSE = {"false", "0", "no", "off", "n", ""}

# Which kinds need which fields, for the form's help text and its script.
FIELDS_BY_KIND = {
    "good_faith_confirmed": [Kind.NOTICE],
    "authority_reference": sorted(LAW_ENFORCEMENT_KINDS),
    "legal_basis": sorted(LEGAL_KINDS),
    "issuing_authority": [Kind.REMOVAL_ORDER],
    "legal_grounds": [Kind.REMOVAL_ORDER],
    "preserve_until": [Kind.PRESERVATION_REQUEST],
}


class ReferralInvalid(DomainError):
    """Field errors `{field: [messages]}`; `targets` may instead hold one dict per item."""

    def __init__(self, errors: dict):
        super().__init__("The referral could not be filed; see the errors by field.")
        self.errors = errors


@dataclass
class Cleaned:
    fields: dict
    targets: list[normalise.Target]


@dataclass
class CleanResult:
    cleaned: Cleaned | None = None
    errors: dict = field(default_factory=dict)
    forbidden_kind: str | None = None  # a valid kind the submitter may not file


def _text(raw: Mapping, key: str, errors: dict) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = ["Must be text."]
        return ""
    return value.strip()


def _bool(raw: Mapping, key: str, errors: dict) -> bool:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    errors[key] = ["Must be true or false."]
    return False


def _date(raw: Mapping, key: str, errors: dict) -> date | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[key] = ["Must be a date as YYYY-MM-DD."]
    return None


def _choice(raw: Mapping, key: str, choices, errors: dict, *, required: bool = True) -> str:
    value = _text(raw, key, errors)
    if key in errors:
        return ""
    if not value:
        if required:
            errors[key] = ["This field is required."]
        return ""
    if value not in choices.values:
        errors[key] = [f"“{value}” is not one of: {', '.join(choices.values)}."]
        return ""
    return value


def _targets(raw: Mapping, errors: dict) -> list[normalise.Target]:
    items = raw.get("targets")
    if items in (None, "", []):
        errors["targets"] = ["Name at least one target: a URL, or a platform and an account."]
        return []
    if not isinstance(items, list | tuple):
        errors["targets"] = ["Must be a list of targets."]
        return []
    if len(items) > TARGETS_MAX:
        errors["targets"] = [f"At most {TARGETS_MAX} targets per referral; this one has {len(items)}."]
        return []
    item_errors: list[dict] = []
    targets: list[normalise.Target] = []
    for item in items:
        try:
            targets.append(normalise.normalise_target(item))
            item_errors.append({})
        except normalise.TargetError as exc:
            key = "url" if not isinstance(item, Mapping) or item.get("url") or not item.get("platform") else "account"
            item_errors.append({key: [str(exc)]})
    if any(item_errors):
        errors["targets"] = item_errors
        return []
    unique = list(dict.fromkeys(targets))  # the same target twice names it once
    return unique


def _exact_urls(items, targets: list[normalise.Target], errors: dict) -> None:
    """A removal order names the exact URLs of the content (Reg. 2021/784 Art. 3(4)(c)),
    never a platform and account pair."""
    item_errors = [
        {} if isinstance(item, Mapping) and item.get("url") else {"url": ["A removal order needs the exact URL."]}
        for item in items
    ]
    if any(item_errors):
        errors["targets"] = item_errors
        targets.clear()


def referral_clean(raw: Mapping, *, kinds_allowed: Iterable[str], today: date | None = None) -> CleanResult:
    """Validate one referral as submitted (JSON, form or CSV row). Never raises."""
    today = today or timezone.localdate()
    if not isinstance(raw, Mapping):
        return CleanResult(errors={"non_field_errors": ["Each referral must be an object."]})
    errors: dict = {}
    kind = _choice(raw, "kind", Kind, errors)
    category = _choice(raw, "category", Category, errors)
    severity = _choice(raw, "severity", Severity, errors, required=kind != Kind.EMERGENCY_REQUEST)
    if kind == Kind.EMERGENCY_REQUEST:
        severity = Severity.IMMINENT  # an emergency is a threat to life by definition (SPEC §5)

    explanation = _text(raw, "explanation", errors)
    if "explanation" not in errors:
        if not explanation:
            errors["explanation"] = ["This field is required."]
        elif not EXPLANATION_MIN <= len(explanation) <= EXPLANATION_MAX:
            errors["explanation"] = [
                f"Write between {EXPLANATION_MIN} and {EXPLANATION_MAX} characters; this has {len(explanation)}."
            ]
    targets = _targets(raw, errors)
    if kind == Kind.REMOVAL_ORDER and targets:
        _exact_urls(raw["targets"], targets, errors)

    language = _text(raw, "language", errors).lower()
    if language and language not in LANGUAGES:
        errors["language"] = ["Use a two-letter ISO 639-1 language code, e.g. “en” or “ar”."]
    country = _text(raw, "country", errors).upper()
    if country and country not in COUNTRIES:
        errors["country"] = ["Use a two-letter ISO 3166-1 country code, e.g. “GB” or “FR”."]

    good_faith = _bool(raw, "good_faith_confirmed", errors)
    if kind == Kind.NOTICE and "good_faith_confirmed" not in errors and not good_faith:
        errors["good_faith_confirmed"] = ["Confirm that the notice is accurate and made in good faith."]

    texts = {}
    for key, limit in TEXT_LIMITS.items():
        texts[key] = _text(raw, key, errors)
        if len(texts[key]) > limit:
            errors[key] = [f"At most {limit} characters."]
    if kind in LAW_ENFORCEMENT_KINDS and not texts["authority_reference"] and "authority_reference" not in errors:
        errors["authority_reference"] = ["Give the agency's case number for law-enforcement requests."]
    if kind in LEGAL_KINDS and not texts["legal_basis"] and "legal_basis" not in errors:
        errors["legal_basis"] = ["Name the legal basis of the request."]
    if kind == Kind.REMOVAL_ORDER and not texts["issuing_authority"] and "issuing_authority" not in errors:
        errors["issuing_authority"] = ["Name the competent authority that issued the removal order."]
    if kind not in LAW_ENFORCEMENT_KINDS:
        texts = dict.fromkeys(texts, "")
    elif kind not in LEGAL_KINDS:
        texts["legal_basis"] = texts["issuing_authority"] = ""
    elif kind != Kind.REMOVAL_ORDER:
        texts["issuing_authority"] = ""

    legal_grounds: list[str] = []
    if kind == Kind.REMOVAL_ORDER:
        legal_grounds, messages = legal.clean_grounds(raw.get("legal_grounds"), required=True)
        if messages:
            errors["legal_grounds"] = messages

    preserve_until = _date(raw, "preserve_until", errors)
    if kind == Kind.PRESERVATION_REQUEST and "preserve_until" not in errors:
        preserve_until = preserve_until or today + timedelta(days=PRESERVE_DEFAULT_DAYS)
        if preserve_until <= today:
            errors["preserve_until"] = ["Must be a date after today."]
        elif preserve_until > today + timedelta(days=PRESERVE_MAX_DAYS):
            errors["preserve_until"] = [f"At most {PRESERVE_MAX_DAYS} days ahead; renew the request later."]
    elif kind != Kind.PRESERVATION_REQUEST:
        preserve_until = None
        errors.pop("preserve_until", None)

    forbidden = kind if kind and kind not in set(kinds_allowed) else None
    if errors or forbidden:
        return CleanResult(errors=errors, forbidden_kind=forbidden)
    fields = {
        "kind": kind,
        "category": category,
        "severity": severity,
        "explanation": explanation,
        "language": language,
        "country": country,
        "good_faith_confirmed": good_faith if kind == Kind.NOTICE else False,
        "preserve_until": preserve_until,
        "legal_grounds": legal_grounds,
        **texts,
    }
    return CleanResult(cleaned=Cleaned(fields=fields, targets=targets))


def forbidden_kind_message(kind: str) -> str:
    label = Kind(kind).label
    if kind in LEGAL_KINDS:
        return f"{label}s may be filed only by liaisons of a verified law-enforcement agency."
    return f"Your role may not file a {label.lower()}."


# --- Creating -----------------------------------------------------------------------------------


def _received_message(referral: Referral) -> str:
    at = f"{referral.received_at:%Y-%m-%d %H:%M} UTC"
    if referral.kind == Kind.REMOVAL_ORDER:
        return (
            f"Removal order received at {at}. The 60-minute clock started at receipt; "
            f"it is due by {referral.due_at:%H:%M} UTC."
        )
    if referral.kind == Kind.EMERGENCY_REQUEST:
        return f"Emergency request received at {at}; it is due by {referral.due_at:%H:%M} UTC."
    return f"{referral.get_kind_display()} received at {at}."


SUBJECT_CHUNK = 400


def _subjects_for(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Subject]:
    """Existing or new subjects for (platform, account) keys: one read, then one insert of
    the missing ones. Safe against a concurrent filing creating the same subject: the unique
    constraint decides, and only the subjects it created first are read again."""
    found: dict[tuple[str, str], Subject] = {}

    def fetch(wanted):
        ordered = sorted(wanted)
        for start in range(0, len(ordered), SUBJECT_CHUNK):
            chunk = ordered[start : start + SUBJECT_CHUNK]
            accounts = {a for _, a in chunk}
            platforms = {p for p, _ in chunk}
            for s in Subject.objects.filter(account__in=accounts, platform__in=platforms):
                if (s.platform, s.account) in wanted:
                    found[(s.platform, s.account)] = s

    fetch(keys)
    missing = keys - found.keys()
    if missing:
        found.update(_subjects_insert(missing))
        raced = missing - found.keys()
        if raced:
            fetch(raced)
    return found


def _subjects_insert(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Subject]:
    """Insert subjects for `keys`, skipping those that exist by then; return the ones inserted.

    `INSERT … ON CONFLICT DO NOTHING RETURNING id` (PostgreSQL, SQLite ≥ 3.35) says which rows
    it wrote, so the new subjects need no second read; `bulk_create` cannot say that.
    """
    new = [Subject(platform=p, account=a) for p, a in sorted(keys)]
    if not _inserts_return_rows():
        Subject.objects.bulk_create(new, ignore_conflicts=True)
        return {}
    meta = Subject._meta
    q = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    by_pk = {subject.pk: subject for subject in new}
    inserted: dict[tuple[str, str], Subject] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(new), SUBJECT_CHUNK):
            chunk = new[start : start + SUBJECT_CHUNK]
            params = [f.get_db_prep_save(f.pre_save(subject, True), connection) for subject in chunk for f in fields]
            cursor.execute(
                f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608 (quoted names)
                f"VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({q(meta.get_field('platform').column)}, {q(meta.get_field('account').column)}) "
                f"DO NOTHING RETURNING {q(meta.pk.column)}",
                params,
            )
            for (pk,) in cursor.fetchall():
                subject = by_pk[meta.pk.to_python(pk)]
                subject._state.adding = False
                subject._state.db = connection.alias
                inserted[(subject.platform, subject.account)] = subject
    return inserted


def _inserts_return_rows() -> bool:
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)
    return False


@transaction.atomic(savepoint=False)  # all or nothing, without a savepoint inside a filing
def referrals_create(
    *, items: list[Cleaned], organisation: Organisation, user, now: datetime | None = None
) -> list[Referral]:
    """Store validated referrals as `received` with targets, subjects, links and a timeline
    entry each, in a fixed number of queries per batch; routing is enqueued on commit."""
    now = now or timezone.now()
    referrals = []
    for item in items:
        referral = Referral(
            **item.fields, organisation=organisation, submitted_by=user, received_at=now, status=Status.RECEIVED
        )
        if referral.kind in CLOCK_KINDS or referral.severity == Severity.IMMINENT:
            referral.due_at = clock.due_after(now, clock.LEGAL_CLOCK_MINUTES)
        referrals.append(referral)
    Referral.objects.bulk_create(referrals)

    keys = {normalise.subject_key(t) for item in items for t in item.targets} - {None}
    subjects = _subjects_for(keys)
    targets, links, named_by = [], set(), Counter()
    for referral, item in zip(referrals, items, strict=True):
        named = []
        for position, t in enumerate(item.targets):
            subject = subjects.get(normalise.subject_key(t)) if t.account else None
            if subject is not None and subject.pk not in named:
                named.append(subject.pk)
            targets.append(
                Target(
                    referral=referral,
                    subject=subject,
                    position=position,
                    url=t.url,
                    platform=t.platform,
                    account=t.account,
                    content_id=t.content_id,
                )
            )
        links.update(itertools.permutations(named, 2))
        named_by.update(named)
    Target.objects.bulk_create(targets)
    _prime_targets(referrals, targets)
    subject_counts_add(named_by)
    if links:
        through = Subject.linked.through
        through.objects.bulk_create(
            [through(from_subject_id=a, to_subject_id=b) for a, b in links], ignore_conflicts=True
        )
    # Receipt is acknowledged at the instant the clock starts.
    timeline_add_many(
        timeline_event(r, "received", actor=user, message=_received_message(r), at=now) for r in referrals
    )

    enqueue_on_commit("referrals.tasks.route_referrals", [r.seq for r in referrals])
    return referrals


def _prime_targets(referrals: list[Referral], targets: list[Target]) -> None:
    """Give each new referral its targets (in position order) as if prefetched, so the
    caller can serialise what it just created without reading it back."""
    by_referral: dict[int, list[Target]] = {r.seq: [] for r in referrals}
    for target in targets:
        by_referral[target.referral.seq].append(target)
    for referral in referrals:
        referral._prefetched_objects_cache = {"targets": by_referral[referral.seq]}


@transaction.atomic
def referral_submit(*, user, data: Mapping, evidence: list[Inspected] | None = None, request=None) -> Referral:
    """File one referral. Raises NotAllowed (403) for a kind the user may not file and
    ReferralInvalid (400) with field errors; nothing is stored on either.

    `evidence` are files already checked by `evidence_inspect_all`, so a bad file refuses
    the whole filing before anything is written.
    """
    kinds = kinds_filable_by(user)
    if not kinds:
        raise NotAllowed("Your role does not file referrals.")
    result = referral_clean(data, kinds_allowed=kinds)
    if result.forbidden_kind:
        raise NotAllowed(forbidden_kind_message(result.forbidden_kind))
    if result.errors:
        raise ReferralInvalid(result.errors)
    organisation = organisation_of(user)
    (referral,) = referrals_create(items=[result.cleaned], organisation=organisation, user=user)
    audit(
        "referral.submit",
        actor=user,
        obj=referral,
        organisation=organisation,
        request=request,
        reference=referral.reference,
        kind=referral.kind,
        targets=len(result.cleaned.targets),
    )
    stored = evidence_store(referral=referral, files=evidence, user=user, request=request) if evidence else []
    # What a read through the selector would find: no decision yet, this evidence.
    referral._prefetched_objects_cache["evidence"] = list(stored)
    Referral._meta.get_field("decision").set_cached_value(referral, None)
    return referral


# --- The submitter's transitions -------------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)


@transaction.atomic
def referral_withdraw(*, referral: Referral, user, reason: str = "", request=None) -> Referral:
    """The submitting organisation takes back a referral that is not decided or closed."""
    if not is_submitting_member(user, referral):
        raise NotAllowed("Only the submitting organisation can withdraw a referral.")
    referral = _lock(referral)
    if not can_withdraw(user, referral):
        raise TransitionError(f"A referral that is {referral.get_status_display().lower()} cannot be withdrawn.")
    reason = (reason or "").strip()
    if len(reason) > EXPLANATION_MAX:
        raise DomainError(f"At most {EXPLANATION_MAX} characters.", field="reason")
    old = referral.status
    referral_clock_resume(referral=referral)  # a withdrawn request waits on nobody
    referral.status = Status.WITHDRAWN
    referral.closed_at = timezone.now()
    referral.save(update_fields=["status", "closed_at", "updated_at"])
    timeline_add(referral, "withdrawn", actor=user, message=reason or "Withdrawn by the submitting organisation.")
    audit("referral.withdraw", actor=user, obj=referral, organisation=referral.organisation, request=request, old=old)
    referral_notify_status(referral)
    return referral


@transaction.atomic
def referral_reply(*, referral: Referral, user, body: str, request=None) -> Referral:
    """Answer a request for information: back to `routed`, the clock resumes where it stopped."""
    if not is_submitting_member(user, referral):
        raise NotAllowed("Only the submitting organisation can answer for this referral.")
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        raise DomainError("Write your answer.", field="body")
    if len(body) > EXPLANATION_MAX:
        raise DomainError(f"At most {EXPLANATION_MAX} characters.", field="body")
    referral = _lock(referral)
    if not can_reply(user, referral):
        raise TransitionError("This referral is not waiting for information from you.")
    referral_clock_resume(referral=referral)
    referral.status = Status.ROUTED
    # Back in the queue for whoever claims next, so an answer never waits on one person.
    previous_assignee = referral.assignee_id
    referral.assignee = None
    referral.save(update_fields=["status", "assignee", "updated_at"])
    timeline_add(referral, "info_provided", actor=user, message=body, previous_assignee=previous_assignee)
    audit("referral.reply", actor=user, obj=referral, organisation=referral.organisation, request=request)
    referral_notify_status(referral)
    return referral
