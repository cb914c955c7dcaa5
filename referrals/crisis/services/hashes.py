"""Hash lists of an incident (SPEC §18): the one the portal shares, and those it imports.

Export. `hash_list_lines(incident)` is the CSV `hash_type,hash,label` other platforms take in:
one row per distinct hash of the evidence of the incident's ACTIONED referrals, a `sha256` row
for each file and a `pdq` row for each image with a PDQ hash of usable quality (below PDQ's
quality 50 a hash matches flat images alike, so sharing one would flag unrelated content
elsewhere). The label is `counterpoint:<incident slug>:<category>`: never a reference, a
partner's text or anything else that would say who reported it. Only the portal's own
evidence is listed, not the hashes imported from others: those are theirs to share.

Import. `hash_list_import` takes another platform's list in the same format, all or nothing:
every row is checked first (`hash_type` sha256 or pdq, the hash 64 hexadecimal digits, read in
lower case, a label of at most 200 characters), and one bad row stores none. Hashes already in
the incident's list (or repeated in the file) count as duplicates and keep their first label.
The evidence already stored that matches an imported hash is then flagged known content
(`Evidence.shared_hash`): the same SHA-256, or an image whose PDQ hash is within
PORTAL_NEAR_DUPLICATE_MAX_DISTANCE of an imported PDQ hash. A list may be imported into a
closed incident too: the content it names stays known after the surge.

At upload. `evidence_shared_hash_flag` flags new evidence matching a hash of any incident's
list, in one query per upload (`referrals.intake.services.evidence.evidence_store` calls it).
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import csv as portal_csv
from portal.audit import audit
from portal.errors import DomainError, NotAllowed
from portal.text import strip_format_characters, text_problem
from referrals.crisis.permissions import can_declare_incidents
from referrals.models import Evidence, HashType, Incident, MediaHash, SharedHash, Status
from referrals.models.surfacing import PDQ_CHUNK_BITS, PDQ_CHUNKS
from referrals.surfacing.services.media import MIN_QUALITY, ball, max_distance

HEADER = ("hash_type", "hash", "label")
REQUIRED = ("hash_type", "hash")
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
LABEL_MAX = 200
ERRORS_LISTED = 50
LABEL_PREFIX = "counterpoint"
_HEX = re.compile(r"[0-9a-f]{64}")
_CHUNK_HEX = PDQ_CHUNK_BITS // 4  # hexadecimal digits in a chunk
# Bounds on the parameters of one statement: hashes per `IN` list, and chunk values per lookup.
IN_BATCH = 500
LOOKUP_VALUES = 4000


class HashListRejected(DomainError):
    """A list that cannot be imported: `errors` says why, one message a bad row (`row N: …`)."""

    def __init__(self, errors: list[str]):
        super().__init__(errors[0], field="file")
        self.errors = errors


@dataclass(frozen=True)
class HashRow:
    line: int
    hash_type: str
    hash: str
    label: str


@dataclass(frozen=True)
class HashImport:
    imported: int
    duplicates: int
    flagged: int  # evidence files newly flagged known content


# --- Export -------------------------------------------------------------------------------------


def hash_list_label(incident: Incident, category: str) -> str:
    return f"{LABEL_PREFIX}:{incident.slug}:{category}"


def hash_list_rows(incident: Incident) -> Iterator[tuple[str, str, str]]:
    """(hash_type, hash, label) of each distinct hash of the evidence of the incident's
    actioned referrals: the SHA-256 rows first, then the PDQ rows. One query, streamed."""
    evidence = (
        Evidence.objects.filter(referral__incident=incident, referral__status=Status.ACTIONED)
        .order_by("uploaded_at", "pk")
        .values_list("sha256", "referral__category", "media_hash__pdq", "media_hash__quality")
    )
    seen_sha256: set[str] = set()
    pdq_rows: dict[str, str] = {}
    for sha256, category, pdq, quality in evidence.iterator(chunk_size=2000):
        if sha256 and sha256 not in seen_sha256:
            seen_sha256.add(sha256)
            yield HashType.SHA256.value, sha256, hash_list_label(incident, category)
        if pdq and quality is not None and quality >= MIN_QUALITY:
            pdq_rows.setdefault(pdq, hash_list_label(incident, category))
    for pdq, label in pdq_rows.items():
        yield HashType.PDQ.value, pdq, label


def hash_list_lines(incident: Incident) -> Iterator[str]:
    """The list as CSV lines (header first), for a streamed download."""
    writer = portal_csv.writer()
    yield writer.writerow(HEADER)
    for row in hash_list_rows(incident):
        yield writer.writerow(row)


def hash_list_filename(incident: Incident) -> str:
    return f"{incident.slug}-hashes.csv"


# --- Reading a list ------------------------------------------------------------------------------


def _row_error(line: int, problems: list[str]) -> str:
    return _("row %(row)d: %(problems)s") % {"row": line, "problems": "; ".join(problems)}


def _header(cells: list[str]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name for name in names if name not in HEADER]
    if missing or unknown or len(set(names)) != len(names):
        raise HashListRejected(
            [
                _("The first row must name the columns %(header)s (it has %(found)s).")
                % {"header": ",".join(HEADER), "found": ",".join(names) or _("nothing")}
            ]
        )
    return names


def _check_row(line: int, values: dict[str, str]) -> tuple[HashRow | None, str | None]:
    problems = []
    hash_type = values.get("hash_type", "").strip().lower()
    if hash_type not in HashType.values:
        problems.append(
            _("the hash type must be sha256 or pdq, not “%(value)s”") % {"value": hash_type[:20]}
            if hash_type
            else _("the hash type is missing")
        )
    digest = values.get("hash", "").strip().lower()
    if not _HEX.fullmatch(digest):
        problems.append(_("the hash must be 64 hexadecimal digits"))
    label = strip_format_characters(values.get("label", "")).strip()
    problem = text_problem(label)
    if problem:
        problems.append(problem)
    elif len(label) > LABEL_MAX:
        problems.append(
            _("the label must be at most %(max)d characters (this one has %(count)d)")
            % {"max": LABEL_MAX, "count": len(label)}
        )
    if problems:
        return None, _row_error(line, problems)
    return HashRow(line=line, hash_type=hash_type, hash=digest, label=label), None


def hash_list_parse(raw: bytes) -> list[HashRow]:
    """The rows of a list (blank lines skipped), or HashListRejected naming every bad row."""
    if len(raw) > MAX_BYTES:
        raise HashListRejected(
            [_("The file is larger than %(size)s MB; split it.") % {"size": number_format(MAX_BYTES // 2**20)}]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HashListRejected([_("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    names: list[str] | None = None
    rows: list[HashRow] = []
    errors: list[str] = []
    bad = 0
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if names is None:
                names = _header(cells)
                continue
            if len(rows) + bad >= MAX_ROWS:
                raise HashListRejected(
                    [
                        ngettext(
                            "A list may have at most %(count)s row; split it.",
                            "A list may have at most %(count)s rows; split it.",
                            MAX_ROWS,
                        )
                        % {"count": number_format(MAX_ROWS, force_grouping=True)}
                    ]
                )
            if len(cells) > len(names):
                row, error = None, _row_error(reader.line_num, [_("it has more columns than the header")])
            else:
                row, error = _check_row(reader.line_num, dict(zip(names, cells, strict=False)))
            if error:
                bad += 1
                if len(errors) < ERRORS_LISTED:
                    errors.append(error)
            else:
                rows.append(row)
    except csv.Error as exc:
        raise HashListRejected([_("row %(row)d: the file is not valid CSV.") % {"row": reader.line_num}]) from exc
    if names is None or (not rows and not bad):
        raise HashListRejected(
            [_("The file has no hashes: a header row %(header)s, then one hash a row.") % {"header": ",".join(HEADER)}]
        )
    if bad:
        if bad > len(errors):
            errors.append(
                ngettext(
                    "…and %(count)d more row with errors; nothing was imported.",
                    "…and %(count)d more rows with errors; nothing was imported.",
                    bad - len(errors),
                )
                % {"count": bad - len(errors)}
            )
        raise HashListRejected(errors)
    return rows


# --- Import ---------------------------------------------------------------------------------------


@transaction.atomic
def hash_list_import(*, by, incident: Incident, raw: bytes, request=None) -> HashImport:
    """Import another platform's list into the incident's (policy staff and queue leads; a
    caller fetches `incident` through `incidents_visible_to` first), then flag the evidence
    already stored that matches one of its hashes. Raises NotAllowed (403) or
    HashListRejected (400 on `file`, nothing stored)."""
    if not can_declare_incidents(by):
        raise NotAllowed(_("Only policy staff and queue leads import hash lists."))
    rows = hash_list_parse(raw)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    # The incident is locked: no other import of its list runs until this one commits.
    known = set(SharedHash.objects.filter(incident=incident).values_list("hash_type", "hash"))
    now = timezone.now()
    new: list[SharedHash] = []
    for row in rows:
        key = (row.hash_type, row.hash)
        if key in known:
            continue
        known.add(key)
        new.append(
            SharedHash(
                incident=incident,
                hash_type=row.hash_type,
                hash=row.hash,
                label=row.label,
                imported_by=by,
                imported_at=now,
            )
        )
    SharedHash.objects.bulk_create(new, batch_size=1000)
    flagged = _flag_sha256(incident, [h.hash for h in new if h.hash_type == HashType.SHA256])
    flagged += _flag_pdq([h for h in new if h.hash_type == HashType.PDQ])
    result = HashImport(imported=len(new), duplicates=len(rows) - len(new), flagged=flagged)
    audit(
        "incident.hashes_import",
        actor=by,
        obj=incident,
        request=request,
        incident=incident.slug,
        imported=result.imported,
        duplicates=result.duplicates,
        flagged=result.flagged,
    )
    return result


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _flag_sha256(incident: Incident, hashes: list[str]) -> int:
    """Evidence not yet flagged whose SHA-256 is one of `hashes` (just imported into the
    incident's list): one UPDATE per IN_BATCH hashes, through the evidence's hash index."""
    flagged = 0
    shared = SharedHash.objects.filter(incident=incident, hash_type=HashType.SHA256, hash=OuterRef("sha256"))
    for batch in _batches(sorted(hashes), IN_BATCH):
        flagged += Evidence.objects.filter(shared_hash__isnull=True, sha256__in=batch).update(
            shared_hash=Subquery(shared.order_by("imported_at", "pk").values("pk")[:1])
        )
    return flagged


def _flag_pdq(hashes: list[SharedHash]) -> int:
    """Image evidence not yet flagged whose PDQ hash is within the near-duplicate distance of
    one of `hashes`, flagged with the nearest. The evidence's hashes are read through their
    chunk indexes (`referrals.surfacing.services.media`), for several imported hashes at once:
    one SELECT per batch, then one UPDATE per matched hash."""
    if not hashes:
        return 0
    distance = max_distance()
    radius = distance // PDQ_CHUNKS
    per_hash = PDQ_CHUNKS * len(ball(0, radius))
    best: dict = {}  # evidence id -> (distance, shared hash pk)
    for batch in _batches(hashes, max(1, LOOKUP_VALUES // per_hash)):
        values: dict[str, set[int]] = defaultdict(set)
        for shared in batch:
            for name, value in MediaHash.chunks_of(shared.hash).items():
                values[name].update(ball(value, radius))
        near = reduce(or_, (Q(**{f"{name}__in": sorted(found)}) for name, found in values.items()))
        queries = [(int(shared.hash, 16), shared.pk) for shared in batch]
        candidates = MediaHash.objects.filter(near, quality__gte=MIN_QUALITY, evidence__shared_hash__isnull=True)
        for evidence_id, pdq in candidates.values_list("evidence_id", "pdq"):
            value = int(pdq, 16)
            for query, pk in queries:
                d = (value ^ query).bit_count()
                if d <= distance and (evidence_id not in best or d < best[evidence_id][0]):
                    best[evidence_id] = (d, pk)
    return _flag(best)


def _flag(best: Mapping) -> int:
    """Set `shared_hash` of each evidence id in `best` ({id: (distance, shared hash pk)}),
    unless it was flagged meanwhile: one UPDATE per shared hash."""
    by_hash: dict = defaultdict(list)
    for evidence_id, (_d, pk) in best.items():
        by_hash[pk].append(evidence_id)
    flagged = 0
    for pk, ids in by_hash.items():
        for batch in _batches(sorted(ids, key=str), IN_BATCH):
            flagged += Evidence.objects.filter(pk__in=batch, shared_hash__isnull=True).update(shared_hash=pk)
    return flagged


# --- At upload --------------------------------------------------------------------------------------


def _pdq_near(pdq_hexes: list[str], radius: int) -> Q:
    """SharedHash PDQ rows sharing a chunk within `radius` bits with one of `pdq_hexes`: the
    same pigeonhole as the evidence lookup, on the hexadecimal digits of each chunk (shared
    lists are small beside the evidence, so they keep no chunk columns of their own)."""
    values: dict[int, set[str]] = defaultdict(set)
    for pdq_hex in pdq_hexes:
        for i, value in enumerate(MediaHash.chunks_of(pdq_hex).values()):
            values[i].update(f"{v:0{_CHUNK_HEX}x}" for v in ball(value, radius))
    return reduce(or_, (Q(**{f"chunk{i}__in": sorted(found)}) for i, found in values.items()))


def evidence_shared_hash_flag(*, rows: list[Evidence], pdqs: Mapping | None = None) -> int:
    """Flag evidence just stored that matches a hash of any incident's imported list: its
    SHA-256, or (for `pdqs`, {evidence id: Pdq} of the images hashed) a PDQ hash of usable
    quality within the near-duplicate distance. One query, plus an UPDATE per matched hash
    when something matches. Returns how many were flagged."""
    if not rows:
        return 0
    distance = max_distance()
    images = {pk: pdq.hex for pk, pdq in (pdqs or {}).items() if pdq.quality >= MIN_QUALITY}
    wanted = Q(hash_type=HashType.SHA256, hash__in=sorted({row.sha256 for row in rows}))
    shared = SharedHash.objects.all()
    if images:
        wanted |= Q(hash_type=HashType.PDQ) & _pdq_near(list(images.values()), distance // PDQ_CHUNKS)
        shared = shared.alias(
            **{f"chunk{i}": Substr("hash", i * _CHUNK_HEX + 1, _CHUNK_HEX) for i in range(PDQ_CHUNKS)}
        )
    exact: dict[str, object] = {}
    near: list[tuple[int, object]] = []
    for pk, hash_type, digest in (
        shared.filter(wanted).order_by("imported_at", "pk").values_list("pk", "hash_type", "hash")
    ):
        if hash_type == HashType.SHA256:
            exact.setdefault(digest, pk)
        else:
            near.append((int(digest, 16), pk))
    best: dict = {}
    for row in rows:
        if row.sha256 in exact:
            best[row.pk] = (-1, exact[row.sha256])
            continue
        if row.pk in images:
            value = int(images[row.pk], 16)
            found = [((value ^ other).bit_count(), pk) for other, pk in near]
            found = [(d, pk) for d, pk in found if d <= distance]
            if found:
                best[row.pk] = min(found, key=lambda item: item[0])
    if not best:
        return 0
    for row in rows:
        if row.pk in best:
            row.shared_hash_id = best[row.pk][1]
    return _flag(best)


__all__ = [
    "HEADER",
    "MAX_BYTES",
    "MAX_ROWS",
    "HashImport",
    "HashListRejected",
    "evidence_shared_hash_flag",
    "hash_list_filename",
    "hash_list_import",
    "hash_list_lines",
    "hash_list_parse",
    "hash_list_rows",
]
