"""Bulk filing (SPEC §9): a job validates every row like a single filing, creates the good
ones in batches and reports each bad row by its line.

Each batch commits on its own with the job's counters, so progress is visible while the
job runs, and a job interrupted by a dead worker resumes where its last batch ended.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal import csv as portal_csv
from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import DomainError, NotAllowed
from portal.queueing import enqueue_on_commit
from referrals.intake.services.filing import referrals_create
from referrals.intake.services.validation import EMERGENCY_FIELDS, forbidden_kind_message, referral_clean
from referrals.models import BulkJob, Kind
from referrals.permissions import kinds_filable_by

MAX_ITEMS = 10_000
BATCH_SIZE = 500
CSV_COLUMNS = [
    "kind",
    "category",
    "severity",
    "explanation",
    "targets",
    "language",
    "country",
    "good_faith_confirmed",
    "authority_reference",
    "legal_basis",
    "issuing_authority",
    "legal_grounds",
    "preserve_until",
    # Emergency requests only (SPEC §17): requested_data separated by `;` or `|`.
    *EMERGENCY_FIELDS,
    # Signals only (reviewers and queue leads, SPEC §14): one reason per line of the cell.
    "signal_reasons",
]
# What the refused rows' page calls each column, and each part of a target (the API keeps the names).
COLUMN_LABELS = {
    "kind": gettext_lazy("Kind"),
    "category": gettext_lazy("Category"),
    "severity": gettext_lazy("Severity"),
    "explanation": gettext_lazy("Explanation"),
    "targets": gettext_lazy("Targets"),
    "language": gettext_lazy("Language"),
    "country": gettext_lazy("Country"),
    "good_faith_confirmed": gettext_lazy("Good faith"),
    "authority_reference": gettext_lazy("Case number"),
    "legal_basis": gettext_lazy("Legal basis"),
    "issuing_authority": gettext_lazy("Issuing authority"),
    "legal_grounds": gettext_lazy("Grounds"),
    "preserve_until": gettext_lazy("Preserve until"),
    "threat_description": gettext_lazy("Threat"),
    "persons_at_risk": gettext_lazy("Persons at risk"),
    "requested_data": gettext_lazy("Data requested"),
    "attestation": gettext_lazy("Attestation"),
    "signal_reasons": gettext_lazy("Reasons"),
}
TARGET_PART_LABELS = {
    "url": gettext_lazy("URL"),
    "platform": gettext_lazy("Platform"),
    "account": gettext_lazy("Account"),
    "content_id": gettext_lazy("Content id"),
    "posted_at": gettext_lazy("Posted at"),
}
REQUIRED_COLUMNS = {"kind", "category", "explanation", "targets"}
MAX_CSV_BYTES = 25 * 1024 * 1024
URL_SCHEMES = frozenset({"mailto", "javascript", "data", "file", "ftp", "tel", "sms", "blob", "about", "vbscript"})


def target_from_text(text: str) -> dict:
    """One target written by hand: a URL, or `platform:account`."""
    text = text.strip()
    if "://" in text or ":" not in text:
        return {"url": text}
    platform, account = text.split(":", 1)
    if platform.strip().lower() in URL_SCHEMES:  # "mailto:…", "javascript:…" are URLs, refused as such
        return {"url": text}
    return {"platform": platform.strip(), "account": account.strip()}


def targets_from_text(text: str) -> list[dict]:
    """Targets separated by white space (spaces, new lines) or `|`."""
    return [target_from_text(t) for t in text.replace("|", " ").split() if t.strip()]


def parse_csv(data: bytes) -> list[dict]:
    """CSV → items `{"row": line, "data": {...}}`; the header is line 1, so the first row is 2."""
    if len(data) > MAX_CSV_BYTES:
        raise DomainError(_("The CSV file is larger than 25 MB; split it."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("The CSV file must be UTF-8 encoded."), field="file") from None
    if "\x00" in text:
        raise DomainError(_("The file is not a CSV text file."), field="file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DomainError(_("The CSV file is empty."), field="file") from None
    except csv.Error as exc:
        raise DomainError(_("The CSV header could not be read: %(error)s.") % {"error": exc}, field="file") from None
    header = [h.strip().lower() for h in header]
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        raise DomainError(
            _("The CSV header lacks the column(s) %(missing)s; the header is: %(header)s.")
            % {"missing": ", ".join(sorted(missing)), "header": ",".join(CSV_COLUMNS)},
            field="file",
        )
    unknown = set(header) - set(CSV_COLUMNS)
    if unknown:
        raise DomainError(
            _("Unknown CSV column(s): %(columns)s.") % {"columns": ", ".join(sorted(unknown))}, field="file"
        )
    items = []
    line = reader.line_num
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(items) >= MAX_ITEMS:
                raise DomainError(_("At most %(max)s rows per file.") % {"max": _count(MAX_ITEMS)}, field="file")
            data_row = dict(zip(header, values, strict=False))
            if len(values) != len(header):
                data_row["_columns"] = len(values)
            data_row["targets"] = targets_from_text(data_row.get("targets", ""))
            items.append({"row": start, "data": data_row})
    except csv.Error as exc:
        raise DomainError(
            _("Line %(line)d of the CSV could not be read: %(error)s.") % {"line": line + 1, "error": exc},
            field="file",
        ) from None
    if not items:
        raise DomainError(_("The CSV file has a header but no rows."), field="file")
    return items


def items_from_json(items) -> list[dict]:
    if not isinstance(items, list):
        raise DomainError(_("Must be a list of referrals."), field="items")
    if not items:
        raise DomainError(_("Give at least one referral."), field="items")
    if len(items) > MAX_ITEMS:
        raise DomainError(
            _("At most %(max)s referrals per job; this has %(count)s.")
            % {"max": _count(MAX_ITEMS), "count": _count(len(items))},
            field="items",
        )
    return [{"row": i, "data": item} for i, item in enumerate(items, start=1)]


def _count(n: int) -> str:
    """A number with the active language's thousands separator (10,000 in English)."""
    return number_format(n, force_grouping=True)


@transaction.atomic
def bulk_job_create(*, user, items: list[dict], request=None) -> BulkJob:
    """Record a job of parsed items (see `parse_csv`, `items_from_json`) and start it after commit."""
    if not kinds_filable_by(user):
        raise NotAllowed(_("Your role does not file referrals."))
    job = BulkJob.objects.create(owner=user, organisation=organisation_of(user), items=items, total=len(items))
    audit("referral.bulk_job", actor=user, obj=job, organisation=job.organisation, request=request, total=job.total)

    enqueue_on_commit("referrals.tasks.import_bulk_job", str(job.id), background=True)
    return job


def _row_errors(item: dict, kinds: list[str], today) -> tuple[object | None, dict]:
    data = item["data"]
    result = referral_clean(data, kinds_allowed=kinds, today=today)
    errors = dict(result.errors)
    if isinstance(data, dict) and "_columns" in data:
        count = data["_columns"]
        errors.setdefault("non_field_errors", []).append(
            ngettext(
                "This row has %(count)d column; the header has %(header)d or fewer.",
                "This row has %(count)d columns; the header has %(header)d or fewer.",
                count,
            )
            % {"count": count, "header": len(CSV_COLUMNS)}
        )
    if result.forbidden_kind:
        errors = {"kind": [forbidden_kind_message(result.forbidden_kind)], **errors}
    if errors:
        return None, errors
    return result.cleaned, {}


def bulk_job_step(*, job_id, batch_size: int = BATCH_SIZE) -> bool:
    """Process the next batch of a job in one transaction; False once the job is finished."""
    with transaction.atomic():
        # Lock the job row only: FOR UPDATE on the joined organisation too made two jobs of
        # one organisation deadlock with each other's referral inserts (`make bench`).
        job = (
            BulkJob.objects.select_for_update(of=("self",))
            .select_related("owner", "organisation")
            .defer("items")
            .get(pk=job_id)
        )
        if job.status in (BulkJob.State.DONE, BulkJob.State.FAILED):
            return False
        kinds = kinds_filable_by(job.owner)
        if not kinds:
            job.status = BulkJob.State.FAILED
            job.finished_at = timezone.now()
            job.errors = [*job.errors, {"row": None, "errors": {"non_field_errors": [_("You may no longer file.")]}}]
            job.save(update_fields=["status", "finished_at", "errors"])
            return False
        batch = _next_items(job, batch_size)
        today = timezone.localdate()
        good, errors = [], []
        for item in batch:
            cleaned, row_errors = _row_errors(item, kinds, today)
            if cleaned is None:
                errors.append({"row": item["row"], "errors": row_errors})
            else:
                good.append(cleaned)
        if good:
            created = referrals_create(items=good, organisation=job.organisation, user=job.owner)
            audit(
                "referral.bulk_batch",
                actor=job.owner,
                obj=job,
                organisation=job.organisation,
                created=len(created),
                first=created[0].reference,
                last=created[-1].reference,
            )
        job.status = BulkJob.State.RUNNING
        job.processed += len(batch)
        job.created += len(good)
        job.failed += len(errors)
        job.errors = [*job.errors, *errors]
        done = job.processed >= job.total
        if done:
            job.status = BulkJob.State.DONE
            job.finished_at = timezone.now()
        job.save(update_fields=["status", "processed", "created", "failed", "errors", "finished_at"])
        return not done


def _next_items(job: BulkJob, size: int) -> list:
    """The job's next `size` items. On PostgreSQL only those are read: decoding the whole
    job's 10,000 items for each batch of 500 was a seventh of an import's time."""
    start = job.processed
    jobs = BulkJob.objects.filter(pk=job.pk)
    if connection.vendor != "postgresql":
        return jobs.values_list("items", flat=True).get()[start : start + size]
    batch = RawSQL("jsonb_path_query_array(items, %s::jsonpath)", [f"$[{start} to {start + size - 1}]"], JSONField())
    return jobs.annotate(batch=batch).values_list("batch", flat=True).get()


def bulk_job_run(*, job_id, batch_size: int = BATCH_SIZE, on_batch: Callable[[BulkJob], None] | None = None) -> None:
    """Run a job to the end, batch by batch; `on_batch` sees the job after each commit."""
    while True:
        more = bulk_job_step(job_id=job_id, batch_size=batch_size)
        if on_batch is not None:
            on_batch(BulkJob.objects.defer("items").get(pk=job_id))
        if not more:
            break
    job = BulkJob.objects.defer("items").get(pk=job_id)
    if job.status == BulkJob.State.DONE:
        # The rows are processed; keep the errors and counters, drop the bulky input.
        BulkJob.objects.filter(pk=job_id).update(items=[])


def csv_columns(kinds) -> list[str]:
    """The columns a filer of `kinds` uses: `signal_reasons` only for those who raise signals,
    an emergency request's columns only for those who may file one (any file may carry them;
    other kinds ignore them)."""
    return [
        c
        for c in CSV_COLUMNS
        if (c != "signal_reasons" or Kind.SIGNAL in kinds)
        and (c not in EMERGENCY_FIELDS or Kind.EMERGENCY_REQUEST in kinds)
    ]


# The template's example rows, by column; a filer of signals gets one of those too.
_EXAMPLES = [
    {
        "kind": "notice",
        "category": "terrorist_recruitment",
        "severity": "high",
        "explanation": "Posts recruitment videos for a proscribed group and asks viewers to travel.",
        "targets": "https://x.com/example_account/status/1234 | https://t.me/example_channel",
        "language": "en",
        "country": "GB",
        "good_faith_confirmed": "true",
    },
    {
        "kind": "le_referral",
        "category": "propaganda",
        "severity": "medium",
        "explanation": "Channel republishing official propaganda of a designated organisation.",
        "targets": "telegram:example_channel",
        "language": "ar",
        "country": "FR",
        "authority_reference": "CASE-2026-0001",
    },
    {
        "kind": "signal",
        "category": "glorification",
        "severity": "medium",
        "explanation": "New account reposting the suspended account's videos under a similar name.",
        "targets": "x:example_account_2",
        "language": "en",
        "signal_reasons": "Same profile picture as a suspended account\nReposts its videos within minutes",
    },
]


def csv_template(columns: list[str] = CSV_COLUMNS) -> str:
    """The header and example rows, served as the downloadable template."""
    out = io.StringIO()
    writer = portal_csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for example in _EXAMPLES:
        if example["kind"] != Kind.SIGNAL or "signal_reasons" in columns:
            writer.writerow([example.get(column, "") for column in columns])
    return out.getvalue()
