"""Statements of reasons on their way to the DSA Transparency Database (SPEC §22).

Beat runs `statements_submit` every minute:

1. **Enrol**: one `StatementSubmission` for each decision that owes a statement and has none
   yet (newer than the latest enrolled, less a safety window for late commits), so every
   restricting decision is on the ledger however it was recorded.
2. **Send**, only with `PORTAL_DSA_TDB_URL` and `PORTAL_DSA_TDB_TOKEN`: claim up to 100 due
   statements, post them as one batch, record each one's database id, or the database's
   errors when it refuses one (shown to queue leads), or, on a transient failure, try again
   later with a growing delay.

Never twice. A statement is claimed by one run (locked rows, then an update conditional on
their still being due, with a lease), and every write-back is conditional on that claim. A
statement whose send may have reached the database unanswered (the worker died, the answer
timed out) is `in_doubt`; before it is sent again the database is asked whether it holds its
identifier, and if so it is recorded as sent. The database refuses a second statement with a
known identifier anyway, which is also recorded as sent.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.errors import NotAllowed, TransitionError
from referrals.models import StatementSubmission
from referrals.review import selectors
from referrals.review import statement_of_reasons as sor
from referrals.review.permissions import can_see_statement_errors
from referrals.review.services.transparency_database import TransparencyDatabase, Unreachable

logger = logging.getLogger(__name__)

State = StatementSubmission.State
BATCH = 100  # the database takes 1-100 statements per call
LEASE = timedelta(minutes=10)  # longer than a run may last (the task's hard time limit)
ENROL_WINDOW = timedelta(hours=1)  # decisions commit within seconds of their time
ENROL_CHUNK = 2000
RUN_SECONDS = 150  # stop claiming new batches after this, inside the task's time limits
RETRY_FIRST, RETRY_MAX = 60, 3600  # seconds: 1, 2, 4, … minutes, at most an hour
ALREADY_THERE = "The database already held a statement with this identifier."


@dataclass
class SubmitResult:
    enrolled: int = 0
    sent: int = 0
    refused: int = 0
    deferred: int = 0


def transparency_database() -> TransparencyDatabase | None:
    """The configured database, or None when sending is off."""
    if not (settings.PORTAL_DSA_TDB_URL and settings.PORTAL_DSA_TDB_TOKEN):
        return None
    return TransparencyDatabase(
        settings.PORTAL_DSA_TDB_URL, settings.PORTAL_DSA_TDB_TOKEN, timeout=settings.PORTAL_DSA_TDB_TIMEOUT
    )


# --- Enrolling ---------------------------------------------------------------------------------


def statements_enrol() -> int:
    """Add the decisions that owe a statement and have no submission yet; return how many."""
    latest = StatementSubmission.objects.aggregate(latest=Max("decided_at"))["latest"]
    owing = (
        selectors.decisions_owing_statements()
        .filter(submission__isnull=True)
        .select_related(None)
        .prefetch_related(None)
        .select_related("referral")
        .only("id", "decided_at", "referral__seq", "referral__received_at")
    )
    if latest is not None:
        owing = owing.filter(decided_at__gte=latest - ENROL_WINDOW)
    enrolled, after = 0, None
    while True:
        page = owing
        if after is not None:
            page = page.filter(Q(decided_at__gt=after[0]) | Q(decided_at=after[0], id__gt=after[1]))
        chunk = list(page[:ENROL_CHUNK])
        if not chunk:
            return enrolled
        StatementSubmission.objects.bulk_create(
            [
                StatementSubmission(
                    decision=d, puid=sor.puid_for(d), decided_at=d.decided_at, next_attempt_at=d.decided_at
                )
                for d in chunk
            ],
            ignore_conflicts=True,  # a concurrent run enrolled some first
        )
        enrolled += len(chunk)
        after = (chunk[-1].decided_at, chunk[-1].id)


# --- Claiming ------------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(state=State.PENDING, next_attempt_at__lte=now) | Q(state=State.SENDING, claimed_at__lt=now - LEASE)


@dataclass
class Claimed:
    token: uuid.UUID
    rows: list[StatementSubmission]
    in_doubt: set[int]  # rows whose earlier send may have reached the database


def statements_claim(*, now: datetime, limit: int = BATCH) -> Claimed:
    """Claim up to `limit` due statements, oldest decision first, for this run alone.

    Due: waiting and past their next attempt, or claimed by a run whose lease ran out (it
    died). The rows are locked (others skip them) and claimed by an update that re-checks
    they are due, so two runs never hold the same statement.
    """
    token = uuid.uuid4()
    with transaction.atomic():
        candidates = list(
            StatementSubmission.objects.filter(_due(now))
            .order_by("decided_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "state", "in_doubt")[:limit]
        )
        if candidates:
            StatementSubmission.objects.filter(_due(now), pk__in=[pk for pk, _, _ in candidates]).update(
                state=State.SENDING, claim=token, claimed_at=now, in_doubt=True, attempts=F("attempts") + 1
            )
    rows = list(StatementSubmission.objects.filter(claim=token).order_by("decided_at", "pk"))
    # A row taken over from a run that died may have been sent by it.
    doubt = {pk for pk, state, in_doubt in candidates if in_doubt or state == State.SENDING}
    return Claimed(token=token, rows=rows, in_doubt=doubt & {r.pk for r in rows})


# --- Recording outcomes (each conditional on the claim) ---------------------------------------------


def _write(claimed: Claimed, rows: list[StatementSubmission], fields: list[str]) -> None:
    StatementSubmission.objects.filter(claim=claimed.token).bulk_update(rows, [*fields, "claim"])


def _record_sent(claimed: Claimed, ids: dict[StatementSubmission, str], now: datetime, note: str = "") -> None:
    for row, database_id in ids.items():
        row.state, row.database_id, row.sent_at = State.SENT, database_id, now
        row.in_doubt, row.errors, row.last_error, row.claim = False, {}, note, None
    _write(claimed, list(ids), ["state", "database_id", "sent_at", "in_doubt", "errors", "last_error"])


def _record_refused(claimed: Claimed, errors: dict[StatementSubmission, dict]) -> None:
    for row, found in errors.items():
        row.state, row.errors, row.in_doubt, row.last_error, row.claim = State.REFUSED, found, False, "", None
    _write(claimed, list(errors), ["state", "errors", "in_doubt", "last_error"])
    audit("statement.refused", puids=[row.puid for row in errors])


def _defer(claimed: Claimed, rows: list[StatementSubmission], message: str, *, in_doubt: bool, now: datetime) -> None:
    for row in rows:
        delay = min(RETRY_FIRST * 2 ** max(row.attempts - 1, 0), RETRY_MAX)
        row.state, row.next_attempt_at, row.last_error = State.PENDING, now + timedelta(seconds=delay), message
        row.in_doubt = in_doubt or row.pk in claimed.in_doubt
        row.claim = None
    _write(claimed, rows, ["state", "next_attempt_at", "last_error", "in_doubt"])
    logger.warning("%d statements of reasons deferred: %s", len(rows), message)


# --- Sending ---------------------------------------------------------------------------------------


def _bodies(rows: list[StatementSubmission]) -> tuple[dict[StatementSubmission, dict], dict]:
    """Each row's statement; rows whose statement cannot be built are refused here."""
    decisions = {d.pk: d for d in selectors.decisions_owing_statements().filter(pk__in=[r.decision_id for r in rows])}
    bodies, broken = {}, {}
    for row in rows:
        try:
            bodies[row] = sor.statement_for(decisions[row.decision_id])
        except Exception as exc:  # one bad statement must not hold up the batch
            logger.exception("Could not build the statement of reasons %s", row.puid)
            broken[row] = {"portal": [f"The portal could not build this statement: {exc}"]}
    return bodies, broken


def _attribute(body: dict, rows: list[StatementSubmission]) -> tuple[dict, set]:
    """A 422's refusals by row (`statement_<index>` keys) and the rows whose identifier the
    database already holds (`existing_puids`)."""
    errors = body.get("errors") if isinstance(body.get("errors"), dict) else {}
    refused = {}
    for key, found in errors.items():
        index = key.removeprefix("statement_")
        if key.startswith("statement_") and index.isdigit() and int(index) < len(rows):
            refused[rows[int(index)]] = found
    existing = set(errors.get("existing_puids") or [])
    return refused, {row for row in rows if row.puid in existing}


def _send(database: TransparencyDatabase, claimed: Claimed, now: datetime, result: SubmitResult) -> None:
    to_send = []
    for row in claimed.rows:
        if row.pk not in claimed.in_doubt:
            to_send.append(row)
            continue
        try:
            there = database.puid_exists(row.puid)
        except Unreachable as exc:
            rest = [r for r in claimed.rows if r not in to_send and r.state == State.SENDING]
            _defer(claimed, rest, exc.message, in_doubt=True, now=now)
            result.deferred += len(rest)
            break
        if there:
            _record_sent(claimed, {row: ""}, now, note=ALREADY_THERE)
            result.sent += 1
        else:
            to_send.append(row)

    bodies, broken = _bodies(to_send)
    if broken:
        _record_refused(claimed, broken)
        result.refused += len(broken)
    to_send = [row for row in to_send if row in bodies]
    while to_send:
        try:
            answer = database.post_statements([bodies[row] for row in to_send])
        except Unreachable as exc:
            _defer(claimed, to_send, exc.message, in_doubt=exc.in_doubt, now=now)
            result.deferred += len(to_send)
            return
        if answer.status == 201:
            listed = [s for s in answer.body.get("statements") or [] if isinstance(s, dict)]
            stored = {s.get("puid"): str(s.get("uuid") or "") for s in listed}
            _record_sent(claimed, {row: stored.get(row.puid, "") for row in to_send}, now)
            audit("statement.submit", sent=len(to_send), puids=[row.puid for row in to_send])
            result.sent += len(to_send)
            return
        # 422: nothing of the batch was stored. Record what it says, send the rest again.
        refused, existing = _attribute(answer.body, to_send)
        if not refused and not existing:
            refused = {row: answer.body.get("errors") or answer.body for row in to_send}
        if refused:
            _record_refused(claimed, refused)
            result.refused += len(refused)
        if existing:
            _record_sent(claimed, dict.fromkeys(existing, ""), now, note=ALREADY_THERE)
            result.sent += len(existing)
        to_send = [row for row in to_send if row not in refused and row not in existing]


def statements_submit(*, now: datetime | None = None, database: TransparencyDatabase | None = None) -> SubmitResult:
    """Beat's job: enrol new statements, then send the due ones when the database is set up."""
    result = SubmitResult(enrolled=statements_enrol())
    database = database or transparency_database()
    if database is None:
        return result
    # Deferred statements are due again only later, refused ones never: the loop ends when
    # nothing is left to claim, or when the run has had its time.
    started = time.monotonic()
    while time.monotonic() - started < RUN_SECONDS:
        at = now or timezone.now()
        claimed = statements_claim(now=at)
        if not claimed.rows:
            break
        _send(database, claimed, at, result)
    if result.sent or result.refused or result.deferred:
        logger.info(
            "Statements of reasons: %d sent, %d refused, %d deferred", result.sent, result.refused, result.deferred
        )
    return result


# --- A lead sends a refused statement again --------------------------------------------------------


@transaction.atomic
def statement_resend(*, by, submission: StatementSubmission, request=None) -> StatementSubmission:
    """Put a refused statement back in line (after the cause is fixed): sent with the next run."""
    if not can_see_statement_errors(by):
        raise NotAllowed(_("Only a queue lead can send a statement of reasons again."))
    submission = StatementSubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.state != State.REFUSED:
        raise TransitionError(_("Only a statement the database refused can be sent again."))
    previous = submission.errors
    submission.state, submission.errors, submission.last_error = State.PENDING, {}, ""
    submission.next_attempt_at = timezone.now()
    submission.save(update_fields=["state", "errors", "last_error", "next_attempt_at"])
    audit("statement.resend", actor=by, obj=submission, request=request, puid=submission.puid, errors=previous)
    return submission
