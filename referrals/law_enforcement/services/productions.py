"""Productions (SPEC §17): files of disclosed or preserved data the platform delivers to the
agency that made a request.

A production is uploaded by the request's assignee or a lead, typed from its content like
evidence (plus CSV, JSON and ZIP), streamed to private storage beside the evidence under a
generated name while its SHA-256 is computed, and announced to the agency's liaisons. The
agency downloads it (every download audited) until `available_until`; after that it answers
410 and the beat job deletes the file, keeping the row (name, size, hash) as the record of
what was delivered.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.notifications import notify_users
from referrals.intake.services import evidence
from referrals.law_enforcement.permissions import can_deliver_production, can_see_productions, counts_as_received
from referrals.law_enforcement.services.preservation import agency_liaisons
from referrals.models import Production, Referral, Status
from referrals.services.timeline import timeline_add
from referrals.services.webhooks import webhook_production_ready
from referrals.timeline_text import TimelineText

logger = logging.getLogger(__name__)

# Beside the evidence, in a folder of their own: the same private root, never served directly.
FOLDER = "productions"
ZIP_MAGIC = b"PK\x03\x04"

# The evidence types, and the formats data is exported in. A text file is CSV when it is named
# so, JSON when it is named so or opens an object or an array, plain text otherwise.
_PLAIN_LABEL, _PLAIN_EXTENSIONS = evidence.TYPES["text/plain"]
TYPES = {
    **evidence.TYPES,
    "text/plain": (_PLAIN_LABEL, _PLAIN_EXTENSIONS - {".csv"}),
    "text/csv": (gettext_lazy("CSV file"), {".csv"}),
    "application/json": (gettext_lazy("JSON file"), {".json"}),
    "application/zip": (gettext_lazy("ZIP archive"), {".zip"}),
}
TEXT_TYPES = frozenset({"text/plain", "text/csv", "application/json"})
CLAIMED = {ext: mime for mime, (_label, exts) in TYPES.items() for ext in exts}
EXTENSION = {**evidence.EXTENSION, "text/csv": ".csv", "application/json": ".json", "application/zip": ".zip"}
JSON_STARTS = (b"{", b"[")


class ProductionRejected(DomainError):
    """A file refused for what it is; the message names the file."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


class ProductionGone(DomainError):
    """The production is past its `available_until`, or its file was deleted: 410."""

    status_code = 410


def production_path(production: Production):
    return evidence.evidence_path(production.stored_name)


def download_name(production: Production) -> str:
    """The uploaded name, with the ending of the type its content was detected as, so a file
    never lands on the agency's disk as something it is not."""
    stem, ext = os.path.splitext(production.name)
    if ext.lower() in TYPES.get(production.content_type, ("", set()))[1]:
        return production.name
    return (stem or "production") + EXTENSION.get(production.content_type, ".bin")


def type_label(content_type: str) -> str:
    label = TYPES.get(content_type, (None,))[0]
    return str(label) if label is not None else content_type


def _refused_type(name: str, head: bytes) -> ProductionRejected:
    return ProductionRejected(
        _(
            "“%(name)s” is not an accepted type (it looks like %(type)s). "
            "Accepted: CSV, JSON, ZIP, PNG, JPEG, WebP, GIF, PDF, MP4 and plain text."
        )
        % {"name": name, "type": evidence._describe(head)}
    )


def production_inspect(upload) -> tuple[str, str]:
    """`(name, content_type)` of an uploaded file, or ProductionRejected saying why not. Reads
    the head (and, for a file with no binary signature, the whole to check it is text)."""
    if upload is None:
        raise ProductionRejected(_("Choose a file to upload."))
    try:
        name = evidence.safe_display_name(getattr(upload, "name", ""))
    except evidence.EvidenceRejected as exc:
        raise ProductionRejected(exc.message) from None
    size = upload.size or 0
    if size == 0:
        raise ProductionRejected(_("“%(name)s” is empty.") % {"name": name})
    limit = settings.PORTAL_PRODUCTION_MAX_BYTES
    if size > limit:
        raise _too_large(name, size, limit)
    upload.seek(0)
    head = upload.read(evidence.HEAD)
    if head.startswith(ZIP_MAGIC):
        detected = "application/zip"
    else:
        detected = evidence.detect_type(head, lambda: evidence._is_utf8_text(upload))
    if detected is None:
        raise _refused_type(name, head)
    claimed = CLAIMED.get(os.path.splitext(name)[1].lower())
    if detected == "text/plain":
        opens_json = head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(JSON_STARTS)
        if claimed in TEXT_TYPES:
            detected = claimed
        elif claimed is None and opens_json:
            detected = "application/json"
        if detected == "application/json" and not opens_json:
            raise ProductionRejected(
                _("“%(name)s” is named like a JSON file but is not JSON: it does not start with { or [.")
                % {"name": name}
            )
    if claimed and claimed != detected:
        raise ProductionRejected(
            _("“%(name)s” is named like a %(claimed)s but its content is a %(detected)s.")
            % {"name": name, "claimed": TYPES[claimed][0], "detected": TYPES[detected][0]}
        )
    return name, detected


def _too_large(name: str, size: int | None, limit: int) -> ProductionRejected:
    if size is None:
        return ProductionRejected(
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(limit)}
        )
    return ProductionRejected(
        _("“%(name)s” is %(size)s; a production may be at most %(limit)s.")
        % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def _store(upload, name: str) -> tuple[str, int, str]:
    """Stream `upload` to a new private file, hashing as it goes: `(stored_name, size, sha256)`.
    Nothing is left behind when it fails (a declared size that lied included)."""
    limit = settings.PORTAL_PRODUCTION_MAX_BYTES
    token = uuid.uuid4().hex
    stored_name = f"{FOLDER}/{token[:2]}/{token}"
    path = evidence.evidence_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    # O_EXCL: a generated name never overwrites anything.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks(evidence.CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _too_large(name, None, limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return stored_name, size, digest.hexdigest()


def _check_deliverable(by, referral: Referral) -> None:
    if not can_deliver_production(by, referral):
        if not referral.is_law_enforcement:
            raise NotAllowed(_("Data is delivered only on law-enforcement requests."))
        raise NotAllowed(_("Only the reviewer the request is assigned to, or a queue lead, delivers data."))
    if referral.status == Status.WITHDRAWN:
        raise TransitionError(_("The agency withdrew this request; no data is delivered on it."))


def production_add(*, by, referral: Referral, upload, request=None) -> Production:
    """Deliver `upload` to the agency that made `referral`.

    The file is checked and written before the request's row is locked, so a 100 MB upload
    does not hold the lock while it streams to disk; the checks run again under the lock, and
    the file is removed if anything after writing it fails.
    """
    _check_deliverable(by, referral)
    name, content_type = production_inspect(upload)
    stored_name, size, sha256 = _store(upload, name)
    try:
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=referral.pk)
            )
            _check_deliverable(by, referral)
            now = timezone.now()
            production = Production.objects.create(
                referral=referral,
                name=name,
                stored_name=stored_name,
                content_type=content_type,
                size=size,
                sha256=sha256,
                uploaded_by=by,
                uploaded_at=now,
                available_until=now + timedelta(days=settings.PORTAL_PRODUCTION_DAYS),
            )
            timeline_add(
                referral,
                "production_delivered",
                actor=by,
                message=TimelineText(gettext_noop("Data delivered: %(name)s."), {"name": name}),
                production=str(production.pk),
            )
            audit(
                "production.add",
                actor=by,
                obj=production,
                organisation=referral.organisation,
                request=request,
                referral=referral.reference,
                name=name,
                content_type=content_type,
                size=size,
                sha256=sha256,
                available_until=production.available_until.isoformat(),
            )
            path = f"/referrals/{referral.reference}/"
            notify_users(
                list(agency_liaisons(referral.organisation_id)),
                "production_ready",
                {
                    "referral": referral,
                    "reference": referral.reference,
                    "name": name,
                    "size": size,
                    "available_until": production.available_until,
                    "path": path,
                },
                link=path,
            )
            webhook_production_ready(production=production, referral=referral)
    except BaseException:
        evidence.evidence_path(stored_name).unlink(missing_ok=True)
        raise
    return production


def _gone() -> ProductionGone:
    return ProductionGone(_("This production is no longer available: it was kept for a limited time, then deleted."))


@transaction.atomic
def production_open(*, by, production: Production, request=None):
    """Open a production's file for download: only for the requesting agency and platform
    roles, only while it is available; every download is audited, and the agency's count
    its receipt (`downloads`, `first_downloaded_at`). Raises ProductionGone (410) after
    `available_until` or once the file is deleted."""
    referral = production.referral
    if not can_see_productions(by, referral):
        raise NotAllowed(_("Only the requesting agency and the platform download a production."))
    now = timezone.now()
    if production.file_deleted_at is not None or now >= production.available_until:
        raise _gone()
    try:
        handle = production_path(production).open("rb")
    except FileNotFoundError:
        raise _gone() from None
    try:
        if counts_as_received(by, referral):
            Production.objects.filter(pk=production.pk).update(
                downloads=F("downloads") + 1, first_downloaded_at=Coalesce(F("first_downloaded_at"), now)
            )
        audit(
            "production.download",
            actor=by,
            obj=production,
            organisation=referral.organisation,
            request=request,
            referral=referral.reference,
            sha256=production.sha256,
        )
    except BaseException:
        handle.close()
        raise
    return handle


def productions_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files of productions past `available_until`, keeping their rows. Each is
    claimed with a conditional update, so overlapping or repeated runs delete and audit once."""
    now = now or timezone.now()
    due = (
        Production.objects.filter(file_deleted_at__isnull=True, available_until__lte=now)
        .select_related("referral__organisation")
        .order_by("available_until", "pk")
    )
    purged = 0
    for production in due.iterator(chunk_size=500):
        # Unlinked before the claim: a row marked deleted never has its file left behind.
        production_path(production).unlink(missing_ok=True)
        with transaction.atomic():
            if not Production.objects.filter(pk=production.pk, file_deleted_at__isnull=True).update(
                file_deleted_at=now
            ):
                continue
            audit(
                "production.purge",
                obj=production,
                organisation=production.referral.organisation,
                referral=production.referral.reference,
                sha256=production.sha256,
                available_until=production.available_until.isoformat(),
            )
        purged += 1
    if purged:
        logger.info("Deleted %d production files past their availability", purged)
    return purged
