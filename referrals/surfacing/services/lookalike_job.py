"""The look-alike job (SPEC §14): the platform's systems post new or changed accounts, and each
one resembling a suspended account of its platform becomes a `signal` for people to review.

A job is a `BulkJob` of type `lookalike`, read at `/api/v1/jobs/{id}/` like a bulk import:
`processed` of `total` accounts checked, `created` signals raised. It runs in batches, each in
its own transaction with the job's counters, so progress shows while it runs and a job
interrupted by a dead worker resumes after its last committed batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed
from portal.queueing import enqueue_on_commit
from portal.text import strip_format_characters, text_problem
from referrals.engine import normalise
from referrals.engine.folding import fold_name
from referrals.models import BulkJob, Detector, Severity, Subject
from referrals.services.labels import engine_text
from referrals.surfacing.permissions import can_raise_signals
from referrals.surfacing.services.lookalike import Candidate, Resembles, SuspendedIndex, category_of, lookalikes
from referrals.surfacing.services.signals import Match, NewSignal, open_signal_subjects, signals_raise

MAX_ACCOUNTS = 10_000
BATCH_SIZE = 500
# From this many accounts to check, a run reads its platforms' suspended accounts into memory
# once (SuspendedIndex: 2.5 to 4 s at 125,000) rather than asking PostgreSQL's trigram indexes
# for each account (2 ms a handle, 13 ms a display name). SQLite always does.
INDEX_FROM = 500
DISPLAY_NAME_MAX = 200  # Subject.display_name


class AccountsInvalid(DomainError):
    """The posted accounts, refused as a whole: `errors` is `{"accounts": [...]}`, either one
    message or one `{field: [messages]}` per account (`{}` for the good ones)."""

    def __init__(self, errors: dict):
        super().__init__(_("Some accounts are not valid."), field="accounts")
        self.errors = errors


def accounts_clean(raw) -> list[dict]:
    """`[{"platform", "account", "display_name"?}]` as posted → the same, normalised like
    targets (`x`, `@SomeOne` → `x`, `someone`); AccountsInvalid unless every one is good."""
    if not isinstance(raw, list):
        raise AccountsInvalid({"accounts": [_("Must be a list of accounts.")]})
    if not raw:
        raise AccountsInvalid({"accounts": [_("Give at least one account.")]})
    if len(raw) > MAX_ACCOUNTS:
        raise AccountsInvalid(
            {
                "accounts": [
                    _("At most %(max)s accounts per job; this has %(count)s.")
                    % {"max": _count(MAX_ACCOUNTS), "count": _count(len(raw))}
                ]
            }
        )
    cleaned, errors = [], []
    for item in raw:
        account, problems = _account_clean(item)
        cleaned.append(account)
        errors.append(problems)
    if any(errors):
        raise AccountsInvalid({"accounts": errors})
    return cleaned


def _account_clean(item) -> tuple[dict, dict]:
    if not isinstance(item, Mapping):
        return {}, {"non_field_errors": [_("Each account must be an object with a platform and an account.")]}
    errors: dict = {}
    for key in ("platform", "account"):
        if item.get(key) in (None, ""):
            errors[key] = [_("This field is required.")]
    name = item.get("display_name") or ""
    if not isinstance(name, str):
        errors["display_name"] = [_("Must be text.")]
        name = ""
    name = strip_format_characters(name).strip()
    problem = text_problem(name)
    if problem:
        errors["display_name"] = [problem]
    elif len(name) > DISPLAY_NAME_MAX:
        errors["display_name"] = [_("Keep this under %(max)s characters.") % {"max": DISPLAY_NAME_MAX}]
    if "platform" not in errors:
        try:  # the platform alone first, so its error is said of the platform
            normalise.normalise_target({"platform": item["platform"], "account": "a"})
        except normalise.TargetError as exc:
            errors["platform"] = [engine_text(exc.args[0])]
    if errors:
        return {}, errors
    try:
        target = normalise.normalise_target({"platform": item["platform"], "account": item["account"]})
    except normalise.TargetError as exc:
        return {}, {"account": [engine_text(exc.args[0])]}
    return {"platform": target.platform, "account": target.account, "display_name": name}, {}


def _count(n: int) -> str:
    return number_format(n, force_grouping=True)


@transaction.atomic
def lookalike_job_create(*, user, accounts, request=None) -> BulkJob:
    """Check `accounts` (as posted; see `accounts_clean`) for look-alikes of suspended accounts,
    in the background: the job is recorded, audited and started after commit."""
    if not can_raise_signals(user):
        raise NotAllowed(_("Only reviewers and queue leads raise signals."))
    items = accounts_clean(accounts)
    job = BulkJob.objects.create(
        type=BulkJob.Type.LOOKALIKE, owner=user, organisation=organisation_of(user), items=items, total=len(items)
    )
    audit(
        "surfacing.lookalike_job", actor=user, obj=job, organisation=job.organisation, request=request, total=job.total
    )
    enqueue_on_commit("referrals.tasks.check_lookalikes", str(job.id), background=True)
    return job


def lookalike_job_step(*, job_id, batch_size: int = BATCH_SIZE, index: SuspendedIndex | None = None) -> bool:
    """Check the next batch of a job in one transaction; False once the job is finished.
    `index`: the suspended accounts of the job's platforms, read when the run started."""
    with transaction.atomic():
        job = (
            BulkJob.objects.select_for_update(of=("self",))
            .select_related("owner", "organisation")
            .get(pk=job_id, type=BulkJob.Type.LOOKALIKE)
        )
        if job.status in (BulkJob.State.DONE, BulkJob.State.FAILED):
            return False
        now = timezone.now()
        if not can_raise_signals(job.owner):
            job.status, job.finished_at = BulkJob.State.FAILED, now
            job.errors = [
                *job.errors,
                {"row": None, "errors": {"non_field_errors": [_("You may no longer raise signals.")]}},
            ]
            job.save(update_fields=["status", "finished_at", "errors"])
            return False
        batch = job.items[job.processed : job.processed + batch_size]
        candidates = [Candidate(**item) for item in batch]
        raised = lookalikes_raise(by=job.owner, candidates=candidates, now=now, index=index)
        job.status = BulkJob.State.RUNNING
        job.processed += len(batch)
        job.created += raised
        done = job.processed >= job.total
        if done:
            job.status, job.finished_at = BulkJob.State.DONE, timezone.now()
        job.save(update_fields=["status", "processed", "created", "finished_at"])
        return not done


def lookalike_job_run(
    *, job_id, batch_size: int = BATCH_SIZE, on_batch: Callable[[BulkJob], None] | None = None
) -> None:
    """Run a job to the end, batch by batch; `on_batch` sees the job after each commit."""
    index = _index_for(job_id)
    while True:
        more = lookalike_job_step(job_id=job_id, batch_size=batch_size, index=index)
        if on_batch is not None:
            on_batch(BulkJob.objects.defer("items").get(pk=job_id))
        if not more:
            break
    # The accounts are checked; keep the counters, drop the bulky input.
    BulkJob.objects.filter(pk=job_id, status=BulkJob.State.DONE).update(items=[])


def _index_for(job_id) -> SuspendedIndex | None:
    job = BulkJob.objects.only("status", "items", "total", "processed").get(pk=job_id)
    left = job.items[job.processed :]
    if job.status in (BulkJob.State.DONE, BulkJob.State.FAILED) or not left:
        return None
    if connection.vendor == "postgresql" and len(left) < INDEX_FROM:
        return None
    return SuspendedIndex.load({item["platform"] for item in left})


def lookalikes_raise(*, by, candidates: list[Candidate], now=None, index: SuspendedIndex | None = None) -> int:
    """Raise a look-alike signal for each candidate resembling a suspended account; return how
    many were raised. Accounts already suspended or with an open signal are not compared (and
    `signals_raise` skips any that became so meanwhile). Each known account's display name is
    updated from its candidate."""
    existing = _existing(candidates)
    taken = open_signal_subjects(s.pk for s in existing.values())
    to_check = [
        c
        for c in candidates
        if (s := existing.get((c.platform, c.account))) is None or (s.suspended_at is None and s.pk not in taken)
    ]
    signals = [
        _signal(candidate, matches)
        for candidate, matches in zip(to_check, lookalikes(to_check, index=index), strict=True)
        if matches
    ]
    filed = signals_raise(by=by, signals=signals, now=now) if signals else []
    subjects = {
        **existing,
        **{(r.surfaced_subject.platform, r.surfaced_subject.account): r.surfaced_subject for r in filed},
    }
    _names_update(candidates, subjects)
    return len(filed)


def _signal(candidate: Candidate, matches: list[Resembles]) -> NewSignal:
    return NewSignal(
        platform=candidate.platform,
        account=candidate.account,
        detector=Detector.LOOKALIKE,
        reasons=[m.reason for m in matches],
        category=category_of(matches),
        severity=Severity.MEDIUM,
        matches=[Match(m.subject, m.basis, m.score, m.candidate_value, m.suspended_value) for m in matches],
    )


def _existing(candidates: list[Candidate]) -> dict[tuple[str, str], Subject]:
    """The candidates' subjects that exist, in one read through the (platform, account) index."""
    keys = {(c.platform, c.account) for c in candidates}
    if not keys:
        return {}
    rows = Subject.objects.filter(platform__in={p for p, _a in keys}, account__in={a for _p, a in keys}).only(
        "id", "platform", "account", "display_name", "folded_name", "suspended_at"
    )
    return {(s.platform, s.account): s for s in rows if (s.platform, s.account) in keys}


def _names_update(candidates: list[Candidate], subjects: dict[tuple[str, str], Subject]) -> None:
    """What the platform's systems say an account calls itself now (the last given wins)."""
    changed = {}
    for candidate in candidates:
        subject = subjects.get((candidate.platform, candidate.account))
        if subject is None or not candidate.display_name or subject.display_name == candidate.display_name:
            continue
        subject.display_name, subject.folded_name = candidate.display_name, fold_name(candidate.display_name)
        changed[subject.pk] = subject
    if changed:
        Subject.objects.bulk_update(sorted(changed.values(), key=lambda s: str(s.pk)), ["display_name", "folded_name"])
