"""Filing referrals (SPEC §3): subjects, the referral rows, the timeline and routing; withdrawing
and answering a request for information. Validation is `validation.referral_clean`.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Mapping
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from partners.models import Organisation
from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.queueing import enqueue_on_commit
from portal.text import strip_format_characters
from referrals.engine import clock, normalise
from referrals.engine.folding import fold_handle
from referrals.intake.services.evidence import Inspected, evidence_store
from referrals.intake.services.validation import (
    CLOCK_KINDS,
    EXPLANATION_MAX,
    Cleaned,
    ReferralInvalid,
    forbidden_kind_message,
    referral_clean,
)
from referrals.models import (
    Kind,
    Referral,
    Severity,
    Status,
    Subject,
    Target,
    subject_counts_add,
)
from referrals.models.surfacing import subject_links_add
from referrals.permissions import can_reply, can_withdraw, is_submitting_member, kinds_filable_by
from referrals.services.clock import referral_clock_resume
from referrals.services.messages import message_post
from referrals.services.notify import referral_notify_status
from referrals.services.timeline import timeline_add, timeline_add_many, timeline_event
from referrals.timeline_text import TimelineText

# --- Creating -----------------------------------------------------------------------------------


def _received_message(referral: Referral) -> TimelineText:
    # Stored once, read in each reader's language; the times are UTC and say so.
    at = f"{referral.received_at:%Y-%m-%d %H:%M}"
    if referral.kind == Kind.REMOVAL_ORDER:
        return TimelineText(
            gettext_noop(
                "Removal order received at %(at)s UTC. "
                "The 60-minute clock started at receipt; it is due by %(due)s UTC."
            ),
            {"at": at, "due": f"{referral.due_at:%H:%M}"},
        )
    if referral.kind == Kind.EMERGENCY_REQUEST:
        return TimelineText(
            gettext_noop("Emergency request received at %(at)s UTC; it is due by %(due)s UTC."),
            {"at": at, "due": f"{referral.due_at:%H:%M}"},
        )
    kind = _in_english(referral.kind)
    return TimelineText(gettext_noop("%(kind)s received at %(at)s UTC."), {"kind": kind, "at": at}, ("kind",))


@functools.cache
def _in_english(kind: str) -> str:
    """A kind's label in English, as the timeline stores it (once per kind: switching the
    language for it cost as much as the timeline row's insert)."""
    with translation.override("en"):
        return str(Kind(kind).label)


SUBJECT_CHUNK = 400


def subjects_for(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Subject]:
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
    new = [Subject(platform=p, account=a, folded_account=fold_handle(a)) for p, a in sorted(keys)]
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


def _names(item: Cleaned, key: tuple[str, str]) -> bool:
    return any(normalise.subject_key(t) == key for t in item.targets)


def _subject_named(key: tuple[str, str], *, by: int) -> Subject:
    """The subject of `key`, inserted if new, with `by` more referrals naming it (its
    referral_count): one `INSERT … ON CONFLICT DO UPDATE … RETURNING`. The update locks the
    row until the filing commits, as subject_counts_add's lock would, and a concurrent
    filing of the same new account waits for this one, then counts on top of it.

    The subject comes back with only its id, platform, account and count loaded (the rest
    deferred): the filing needs it as the targets' foreign key."""
    platform, account = key
    new = Subject(platform=platform, account=account, folded_account=fold_handle(account), referral_count=by)
    meta = Subject._meta
    q = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    count = q(meta.get_field("referral_count").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608 (quoted names)
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({q(meta.get_field('platform').column)}, {q(meta.get_field('account').column)}) "
            f"DO UPDATE SET {count} = {q(meta.db_table)}.{count} + EXCLUDED.{count} "
            f"RETURNING {q(meta.pk.column)}, {count}",
            [f.get_db_prep_save(f.pre_save(new, True), connection) for f in fields],
        )
        pk, referral_count = cursor.fetchone()
    return Subject.from_db(
        connection.alias,
        [meta.pk.attname, "platform", "account", "referral_count"],
        [meta.pk.to_python(pk), platform, account, referral_count],
    )


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
    # Most filings name one account: it is then found or inserted, and counted, in one
    # statement. Several are read or inserted, then locked in primary-key order by subject_counts_add.
    counted = len(keys) == 1 and _inserts_return_rows()
    if counted:
        (key,) = keys
        subjects = {key: _subject_named(key, by=sum(1 for item in items if _names(item, key)))}
    else:
        subjects = subjects_for(keys)
    targets, links, named_by = [], Counter(), Counter()
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
                    posted_at=item.posted_at.get(t),
                )
            )
        links.update(itertools.permutations(named, 2))
        named_by.update(named)
    Target.objects.bulk_create(targets)
    _prime_targets(referrals, targets)
    if not counted:
        subject_counts_add(named_by)  # locks the named subjects, so the links below never deadlock
    if links:
        through = Subject.linked.through
        through.objects.bulk_create(
            [through(from_subject_id=a, to_subject_id=b) for a, b in links], ignore_conflicts=True
        )
        subject_links_add(links, at=now)
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
        raise NotAllowed(_("Your role does not file referrals."))
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
    enqueue_on_commit("referrals.tasks.notify_received", [referral.seq])  # receipt confirmed (DSA Art. 16(4))
    # What a read through the selector would find: no decision yet, this evidence.
    referral._prefetched_objects_cache["evidence"] = list(stored)
    Referral._meta.get_field("decision").set_cached_value(referral, None)
    return referral


def _at_most(limit: int) -> str:
    return ngettext("At most %(limit)d character.", "At most %(limit)d characters.", limit) % {"limit": limit}


# --- The submitter's transitions -------------------------------------------------------------


def _lock(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)


@transaction.atomic
def referral_withdraw(*, referral: Referral, user, reason: str = "", request=None) -> Referral:
    """The submitting organisation takes back a referral that is not decided or closed."""
    if not is_submitting_member(user, referral):
        raise NotAllowed(_("Only the submitting organisation can withdraw a referral."))
    referral = _lock(referral)
    if not can_withdraw(user, referral):
        raise TransitionError(
            _("A referral that is %(status)s cannot be withdrawn.") % {"status": referral.get_status_display().lower()}
        )
    reason = strip_format_characters(reason or "").strip()
    if len(reason) > EXPLANATION_MAX:
        raise DomainError(_at_most(EXPLANATION_MAX), field="reason")
    old = referral.status
    referral_clock_resume(referral=referral)  # a withdrawn request waits on nobody
    referral.status = Status.WITHDRAWN
    referral.closed_at = timezone.now()
    referral.save(update_fields=["status", "closed_at", "updated_at"])
    timeline_add(
        referral,
        "withdrawn",
        actor=user,
        message=reason or TimelineText(gettext_noop("Withdrawn by the submitting organisation.")),
    )
    audit("referral.withdraw", actor=user, obj=referral, organisation=referral.organisation, request=request, old=old)
    referral_notify_status(referral)
    return referral


@transaction.atomic
def referral_reply(*, referral: Referral, user, body: str, request=None) -> Referral:
    """Answer a request for information: back to `routed`, the clock resumes where it stopped.

    The answer is the submitter's message while the referral is `needs_info` (SPEC §17), so it
    is written by `message_post`; this refuses anything else (409) rather than send a plain
    message, for callers that mean only to answer."""
    if not is_submitting_member(user, referral):
        raise NotAllowed(_("Only the submitting organisation can answer for this referral."))
    referral = _lock(referral)
    if not can_reply(user, referral):
        raise TransitionError(_("This referral is not waiting for information from you."))
    return message_post(by=user, referral=referral, body=body, request=request).referral
