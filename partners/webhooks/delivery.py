"""Sending webhook deliveries (SPEC §19): claim, sign, POST, record, back off.

A delivery is claimed with a lease (a conditional update of `leased_until`), so two workers,
or a task and the sweeper, never send it at once; a worker killed mid-send leaves the lease
to run out and the sweeper sends the delivery again, with the same id, which receivers
deduplicate by. Only the holder of the lease records the outcome.

The request goes to the address `addresses.check` resolved and approved a moment before,
with the URL's host in the Host header and the TLS server name: the name is not looked up a
second time, so it cannot be rebound to an internal address between check and send.
"""

import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partners.models import WebhookDelivery
from partners.webhooks.addresses import Target, UnsafeURL, check
from partners.webhooks.selectors import webhook_managers
from portal.notifications import notify_users
from portal.queueing import enqueue

logger = logging.getLogger(__name__)

# The wait after each failed try: 8 tries over about a day (the 8th failure is final).
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
)
MAX_TRIES = len(BACKOFF) + 1
# Longer than a whole send (TIMEOUT), so a live worker always finishes within its lease.
LEASE = timedelta(seconds=60)
TIMEOUT = 10.0
# What the sweeper enqueues per run (every minute).
SWEEP_BATCH = 200
# Enough of an answer to read its status; the rest is not ours to store.
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "Counterpoint-Webhooks/1"
SEND_TASK = "partners.tasks.send_webhook"

Pending = WebhookDelivery.State.PENDING


class DeliveryError(Exception):
    """No usable answer (refused, timed out, not HTTP)."""


# --- Signing ----------------------------------------------------------------------------------


def body_of(payload: dict) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Counterpoint-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- HTTP -------------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host name resolves to now."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, verifying the certificate of the URL's host name (SNI)."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _shorten(sock, remaining: float) -> None:
    if remaining <= 0:
        raise TimeoutError
    if sock is not None and sock.fileno() != -1:
        sock.settimeout(remaining)


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float = TIMEOUT) -> int:
    """POST `body` to `target`; the answer's status code. Redirects are not followed (a 3xx
    is returned as it is). Raises DeliveryError when no answer came within `timeout`."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        # The whole exchange, not each read, has `timeout`: a receiver dripping bytes is cut off.
        sock = connection.sock
        _shorten(sock, timeout - (time.monotonic() - started))
        response = connection.getresponse()
        _shorten(sock, timeout - (time.monotonic() - started))
        response.read(MAX_RESPONSE_BYTES)
        return response.status
    except TimeoutError:
        raise DeliveryError("timed out") from None
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:200]) from None
    finally:
        connection.close()


# --- Claiming and sending ---------------------------------------------------------------------


def _claimable(now):
    return WebhookDelivery.objects.filter(state=Pending, next_attempt_at__lte=now).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    )


def delivery_claim(*, delivery_id, now=None):
    """Lease a due delivery for one send; its lease end, or None when it is not due, not
    pending, or leased by someone else."""
    now = now or timezone.now()
    lease = now + LEASE
    claimed = _claimable(now).filter(pk=delivery_id).update(leased_until=lease)
    return lease if claimed == 1 else None


def delivery_send(*, delivery_id, now=None) -> str | None:
    """Send one delivery if it is due and nobody else holds it; its new state, or None when
    nothing was sent. `now` drives the clock (tests)."""
    clock = (lambda: now) if now is not None else timezone.now
    lease = delivery_claim(delivery_id=delivery_id, now=clock())
    if lease is None:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook__organisation").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.active:
        # Kept pending: it goes out if the webhook is switched on again.
        WebhookDelivery.objects.filter(pk=delivery.pk, leased_until=lease).update(leased_until=None)
        return None
    body = body_of(delivery.payload)
    sent_at = clock()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Counterpoint-Event": delivery.type,
        "Counterpoint-Signature": signature(webhook.secret, int(sent_at.timestamp()), body),
    }
    status_code, error = None, ""
    try:
        # Checked again now: the name may point somewhere else than when it was saved.
        target = check(webhook.url)
        status_code = post(target, body, headers)
    except UnsafeURL as exc:
        error = f"Refused: {exc.message}"
    except DeliveryError as exc:
        error = str(exc) or "no answer"
    if status_code is not None and not 200 <= status_code < 300:
        error = "Redirect not followed" if 300 <= status_code < 400 else f"HTTP {status_code}"
    return _record(delivery, lease=lease, now=clock(), status_code=status_code, error=error)


@transaction.atomic
def _record(delivery: WebhookDelivery, *, lease, now, status_code: int | None, error: str) -> str | None:
    """Write the outcome of a send, if this send still holds the delivery's lease."""
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "status_code": status_code, "last_error": error[:500], "leased_until": None}
    if not error:
        fields.update(state=WebhookDelivery.State.DELIVERED, delivered_at=now)
    elif attempts >= MAX_TRIES:
        fields.update(state=WebhookDelivery.State.FAILED)
    else:
        fields.update(next_attempt_at=now + BACKOFF[attempts - 1])
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, state=Pending, leased_until=lease)
    if mine.update(**fields) != 1:
        logger.warning("Webhook delivery %s: lease lost before the outcome was recorded", delivery.pk)
        return None
    state = fields.get("state", Pending)
    # Told once: when the tries run out, not again when a "send again" fails too.
    if state == WebhookDelivery.State.FAILED and attempts == MAX_TRIES:
        _tell_managers(delivery, status_code=status_code, error=error)
    return state


def _tell_managers(delivery: WebhookDelivery, *, status_code, error: str) -> None:
    webhook = delivery.webhook
    organisation = webhook.organisation
    path = reverse("webhook-list", kwargs={"slug": organisation.slug})
    context = {
        "organisation": organisation,
        "url": webhook.url,
        "type": delivery.type,
        "delivery_id": str(delivery.pk),
        "tries": MAX_TRIES,
        "status_code": status_code,
        "error": error,
        "path": path,
    }
    notify_users(list(webhook_managers(organisation.pk)), "webhook_failed", context, link=path)


# --- The sweeper ------------------------------------------------------------------------------


def deliveries_due(*, now=None, limit: int = SWEEP_BATCH) -> list[str]:
    """Ids of pending deliveries due now and not leased, oldest due first."""
    now = now or timezone.now()
    due = _claimable(now).filter(webhook__active=True).order_by("next_attempt_at")
    return [str(pk) for pk in due.values_list("pk", flat=True)[:limit]]


def deliveries_send_due(*, now=None, limit: int = SWEEP_BATCH) -> int:
    """Enqueue a send of each due delivery (a lost task, a killed worker, a retry whose time
    came); each send claims its delivery, so one enqueued twice is sent once."""
    ids = deliveries_due(now=now, limit=limit)
    for delivery_id in ids:
        enqueue(SEND_TASK, delivery_id)
    return len(ids)
