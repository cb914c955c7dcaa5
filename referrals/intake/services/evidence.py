"""Evidence files (SPEC §3.4): type from content, limits, private storage, SHA-256, retention."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import puremagic
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from referrals.crisis.services.hashes import evidence_shared_hash_flag
from referrals.models import CLOSED_STATUSES, Evidence, PreservationHold, Referral, Target
from referrals.permissions import can_add_evidence, is_submitting_member, sees_platform_fields
from referrals.review.services.exposure import exposure_record
from referrals.surfacing.services.media import evidence_media_record

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
HEAD = 4096
MAX_NAME = 200

# What each accepted type is called, and the file name endings that claim it.
TYPES = {
    "image/png": (gettext_lazy("PNG image"), {".png"}),
    "image/jpeg": (gettext_lazy("JPEG image"), {".jpg", ".jpeg", ".jpe", ".jfif"}),
    "image/webp": (gettext_lazy("WebP image"), {".webp"}),
    "image/gif": (gettext_lazy("GIF image"), {".gif"}),
    "application/pdf": (gettext_lazy("PDF document"), {".pdf"}),
    "video/mp4": (gettext_lazy("MP4 video"), {".mp4", ".m4v"}),
    "text/plain": (gettext_lazy("plain-text file"), {".txt", ".text", ".log", ".csv", ".md"}),
}
CLAIMED = {ext: mime for mime, (_, exts) in TYPES.items() for ext in exts}
# The ending a download of each type gets when its name claims no ending of that type.
EXTENSION = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "application/pdf": ".pdf",
    "video/mp4": ".mp4",
    "text/plain": ".txt",
}
# Text that a browser would run or render as a page is never "plain text" evidence.
MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe", b"<!--")


class EvidenceRejected(DomainError):
    """A file refused for what it is, not for who sent it; the message names the file."""


@dataclass
class Inspected:
    upload: object
    name: str
    content_type: str
    size: int
    sha256: str


def safe_display_name(raw: str | None) -> str:
    """The name shown for a file: its last path component, without control or format
    characters (bidi overrides), at most 200 characters; refused when nothing is left."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") for c in name):
        raise EvidenceRejected(
            _("The file name %(name)s contains control characters; rename the file and try again.")
            % {"name": repr(name)}
        )
    name = " ".join(name.split()).strip(". ")
    if not name:
        raise EvidenceRejected(_("The file has no usable name; rename the file and try again."))
    if len(name) > MAX_NAME:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME - len(ext[:20])] + ext[:20]
    return name


def type_label(content_type: str) -> str:
    """What a page calls a stored file's type ("PNG image"); the MIME type where unknown."""
    label = TYPES.get(content_type, (None,))[0]
    return capfirst(str(label)) if label is not None else content_type


def download_name(evidence: Evidence) -> str:
    """The name a download is saved under: the uploaded name with the ending of the type its
    content was detected as, so a PNG uploaded as `report.html` never lands on a disk as an
    HTML file that a browser would open as a page."""
    stem, ext = os.path.splitext(evidence.original_name)
    if ext.lower() in TYPES.get(evidence.content_type, ("", set()))[1]:
        return evidence.original_name
    return (stem or "evidence") + EXTENSION.get(evidence.content_type, ".bin")


def detect_type(head: bytes, whole_is_text) -> str | None:
    """The accepted MIME type `head` (the first bytes) proves, or None.

    `whole_is_text()` is called only for files that match no binary signature.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12].strip(b"\x00").isalnum():
        return "video/mp4"
    if whole_is_text():
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if stripped.startswith(MARKUP_STARTS):
            return None
        return "text/plain"
    return None


def _describe(head: bytes) -> str:
    """What a refused file looks like, for the message (best effort)."""
    try:
        return puremagic.from_string(head, mime=True) or _("an unknown type")
    except puremagic.PureError:
        return _("an unknown type")


def _is_utf8_text(upload) -> bool:
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def evidence_inspect(upload) -> Inspected:
    """Check one uploaded file without storing anything; raise EvidenceRejected saying why."""
    name = safe_display_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size == 0:
        raise EvidenceRejected(_("“%(name)s” is empty.") % {"name": name})
    limit = settings.PORTAL_EVIDENCE_MAX_BYTES
    if size > limit:
        raise EvidenceRejected(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": _mb(size), "limit": _mb(limit)}
        )
    upload.seek(0)
    head = upload.read(HEAD)
    content_type = detect_type(head, lambda: _is_utf8_text(upload))
    if content_type is None:
        raise EvidenceRejected(
            _(
                "“%(name)s” is not an accepted type (it looks like %(type)s). "
                "Accepted: PNG, JPEG, WebP, GIF, PDF, MP4 and plain text."
            )
            % {"name": name, "type": _describe(head)}
        )
    claimed = CLAIMED.get(os.path.splitext(name)[1].lower())
    if claimed and claimed != content_type:
        raise EvidenceRejected(
            _("“%(name)s” is named like a %(claimed)s but its content is a %(detected)s.")
            % {"name": name, "claimed": TYPES[claimed][0], "detected": TYPES[content_type][0]}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    counted = 0
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
        counted += len(chunk)
    if counted > limit:  # a declared size that lied
        raise EvidenceRejected(_("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": _mb(limit)})
    return Inspected(upload=upload, name=name, content_type=content_type, size=counted, sha256=digest.hexdigest())


def evidence_inspect_all(uploads, *, existing: int = 0) -> list[Inspected]:
    """Inspect several files; the count limit includes the `existing` ones."""
    uploads = list(uploads)
    limit = settings.PORTAL_EVIDENCE_MAX_FILES
    if existing + len(uploads) > limit:
        left = max(limit - existing, 0)
        raise EvidenceRejected(
            ngettext(
                "A referral can have at most %(limit)d evidence files; %(left)d more can be added.",
                "A referral can have at most %(limit)d evidence files; %(left)d more can be added.",
                left,
            )
            % {"limit": limit, "left": left}
        )
    return [evidence_inspect(u) for u in uploads]


def _mb(n: int) -> str:
    if n >= 1024 * 1024:
        return _("%(size)s MB") % {"size": number_format(n / (1024 * 1024), decimal_pos=1)}
    return ngettext("%(count)d byte", "%(count)d bytes", n) % {"count": n}


def evidence_path(stored_name: str) -> Path:
    return Path(settings.PORTAL_EVIDENCE_ROOT) / stored_name


def preview_path(evidence_id) -> Path:
    """Where the blurred preview of an image is cached (SPEC §15); never served directly."""
    return Path(settings.PORTAL_EVIDENCE_ROOT) / "previews" / f"{evidence_id}.jpg"


def _write(inspected: Inspected) -> str:
    token = uuid.uuid4().hex
    stored_name = f"{token[:2]}/{token}"
    path = evidence_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    inspected.upload.seek(0)
    # O_EXCL: a generated name never overwrites anything, even if a name were reused.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in inspected.upload.chunks(CHUNK):
            out.write(chunk)
    return stored_name


def evidence_store(*, referral: Referral, files: list[Inspected], user, request=None) -> list[Evidence]:
    """Write inspected files and their rows. Files already written are removed again if
    anything fails here, so a refusal keeps nothing."""
    written: list[str] = []
    try:
        rows = []
        for f in files:
            stored_name = _write(f)
            written.append(stored_name)
            rows.append(
                Evidence(
                    referral=referral,
                    original_name=f.name,
                    stored_name=stored_name,
                    content_type=f.content_type,
                    size=f.size,
                    sha256=f.sha256,
                    uploaded_by=user,
                )
            )
        Evidence.objects.bulk_create(rows)
        for row in rows:
            audit(
                "evidence.add",
                actor=user,
                obj=row,
                organisation=referral.organisation,
                request=request,
                referral=referral.reference,
                sha256=row.sha256,
                size=row.size,
            )
        # Near-duplicate media (SPEC §14): images are hashed and matched as they are stored.
        hashed = evidence_media_record(
            referral=referral,
            stored=[(row, f.upload) for row, f in zip(rows, files, strict=True)],
            user=user,
            request=request,
        )
        # Known content (SPEC §18): files matching a hash list another platform shared.
        evidence_shared_hash_flag(rows=rows, pdqs=hashed)
    except BaseException:
        for stored_name in written:
            evidence_path(stored_name).unlink(missing_ok=True)
        raise
    return rows


@transaction.atomic
def evidence_add(*, referral: Referral, uploads, user, request=None) -> list[Evidence]:
    """Attach files to an undecided referral of the user's own organisation."""
    if not is_submitting_member(user, referral):
        raise NotAllowed(_("Only the submitting organisation adds evidence."))
    referral = Referral.objects.select_for_update().select_related("organisation").get(pk=referral.pk)
    if not can_add_evidence(user, referral):
        raise TransitionError(_("Evidence can be added only before a decision."))
    uploads = list(uploads)
    if not uploads:
        raise EvidenceRejected(_("Choose a file to upload."), field="file")
    files = evidence_inspect_all(uploads, existing=referral.evidence.count())
    rows = evidence_store(referral=referral, files=files, user=user, request=request)
    from referrals.services.timeline import timeline_add
    from referrals.timeline_text import TimelineText

    names = ", ".join(r.original_name for r in rows)
    timeline_add(
        referral,
        "evidence_added",
        actor=user,
        message=TimelineText(gettext_noop("Evidence added: %(names)s."), {"names": names}),
    )
    return rows


def evidence_open(*, evidence: Evidence, user, request=None):
    """Open a stored file for download, auditing the read and, for platform staff, counting
    it in their exposure of the day (SPEC §15). Raises FileNotFoundError when the file was
    deleted under the retention policy."""
    if evidence.file_deleted_at is not None:
        raise FileNotFoundError(evidence.stored_name)
    handle = evidence_path(evidence.stored_name).open("rb")
    audit(
        "evidence.download",
        actor=user,
        obj=evidence,
        organisation=evidence.referral.organisation,
        request=request,
        referral=evidence.referral.reference,
        sha256=evidence.sha256,
    )
    if sees_platform_fields(user):
        exposure_record(user=user, downloads=1)
    return handle


def evidence_purge_expired(*, now=None) -> int:
    """Delete the files of referrals closed longer than the retention period, keeping the
    rows (hash, size, type); evidence of a subject under an active preservation hold stays."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PORTAL_EVIDENCE_RETENTION_DAYS)
    held = PreservationHold.objects.filter(
        released_at__isnull=True,
        until__gte=now.date(),
        subject__in=Target.objects.filter(referral_id=OuterRef(OuterRef("referral_id"))).values("subject_id"),
    )
    due = (
        Evidence.objects.filter(
            file_deleted_at__isnull=True,
            referral__status__in=CLOSED_STATUSES,
            referral__closed_at__lt=cutoff,
        )
        .annotate(held=Exists(held))
        .filter(held=False)
    )
    purged = 0
    for evidence in due.iterator(chunk_size=500):
        evidence_path(evidence.stored_name).unlink(missing_ok=True)
        preview_path(evidence.pk).unlink(missing_ok=True)
        # Conditional, so two overlapping runs count each file once.
        purged += Evidence.objects.filter(pk=evidence.pk, file_deleted_at__isnull=True).update(file_deleted_at=now)
    if purged:
        logger.info("Deleted %d evidence files past retention", purged)
    return purged
