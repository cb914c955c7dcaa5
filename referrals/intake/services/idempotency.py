"""`Idempotency-Key` on POSTs that create (SPEC §9): replay, 422 on a different body, 409 in flight.

The key is reserved by inserting its record in a transaction of its own before the work
starts, so a concurrent duplicate finds it (and, still without a response, gets 409).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from referrals.models import IdempotencyRecord

WINDOW = timedelta(hours=24)
MAX_KEY = 200


class IdempotencyInFlight(DomainError):
    status_code = 409


class IdempotencyMismatch(DomainError):
    status_code = 422


def fingerprint(payload) -> str:
    """A stable hash of a request body (JSON data, or the bytes of an upload)."""
    if isinstance(payload, bytes):
        return hashlib.sha256(payload).hexdigest()
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise DomainError(
            _("Idempotency-Key must be 1-%(max)d printable characters.") % {"max": MAX_KEY}, field="Idempotency-Key"
        )
    return key


def idempotency_reserve(*, user, endpoint: str, key: str, request_hash: str) -> tuple[IdempotencyRecord, bool]:
    """(record, replay). `replay` means the record holds the response to send again.

    Raises IdempotencyMismatch when the key was used with another body and
    IdempotencyInFlight while the first request has not finished.
    """
    key = idempotency_check_key(key)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, endpoint=endpoint, key=key, request_hash=request_hash
                )
            return record, False
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, endpoint=endpoint, key=key).first()
            if existing is None:
                continue  # abandoned between our insert and this read: try again
            if existing.created_at < timezone.now() - WINDOW:
                IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            if existing.request_hash != request_hash:
                raise IdempotencyMismatch(
                    _("This Idempotency-Key was already used with a different request body.")
                ) from None
            if existing.status_code is None:
                raise IdempotencyInFlight(_("A request with this Idempotency-Key is still being processed.")) from None
            return existing, True
    raise IdempotencyInFlight(_("A request with this Idempotency-Key is still being processed."))


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, body) -> None:
    """Keep the response for replay; a server error frees the key for a retry instead."""
    if status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=status_code, response_body=body)


def idempotency_abandon(*, record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def idempotency_purge_expired(*, now=None) -> int:
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - WINDOW).delete()
    return deleted
