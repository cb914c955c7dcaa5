"""The audit trail: the one place entries are built and written; entries are read in the admin,
never edited."""

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http.request import split_domain_port

from portal.models import AuditEvent


def client_ip(request) -> str | None:
    """The address of the client, as allauth's per-IP rate limits see it.

    X-Forwarded-For is anyone's to write; only the hops our own proxies appended are true.
    With PORTAL_TRUSTED_PROXY_COUNT = n the client is the n-th hop from the right (the one
    the outermost trusted proxy appended); with 0, or a request that did not come through
    them all, it is REMOTE_ADDR. PORTAL_TRUSTED_CLIENT_IP_HEADER names a header a trusted
    proxy sets instead. A value that is not an address is recorded as none.
    """
    if request is None:
        return None
    header = settings.PORTAL_TRUSTED_CLIENT_IP_HEADER
    if header:
        return _address(request.headers.get(header, ""))
    count = settings.PORTAL_TRUSTED_PROXY_COUNT
    forwarded = request.headers.get("X-Forwarded-For", "")
    hops = forwarded.split(",") if forwarded else []
    if count > 0 and len(hops) >= count:
        return _address(hops[-count])
    return _address(request.META.get("REMOTE_ADDR", ""))


def _address(value: str) -> str | None:
    value = value.strip()
    host, port = split_domain_port(value)
    if host and port:
        value = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def audit_entry(action: str, *, actor=None, obj=None, organisation=None, request=None, **data) -> AuditEvent:
    """An unsaved audit entry, for callers that write many at once with `audit_many`.

    `obj` is any model instance; `data` must be JSON-serialisable.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        actor=actor,
        actor_email=getattr(actor, "email", "") or data.pop("email", ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        organisation=organisation,
        ip=client_ip(request),
        data=data,
    )


def audit(action: str, *, actor=None, obj=None, organisation=None, request=None, **data) -> AuditEvent:
    """Append an audit entry (see `audit_entry`)."""
    entry = audit_entry(action, actor=actor, obj=obj, organisation=organisation, request=request, **data)
    entry.save(force_insert=True)
    return entry


def audit_many(entries: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Write entries built by `audit_entry` in one statement."""
    return AuditEvent.objects.bulk_create(entries)
