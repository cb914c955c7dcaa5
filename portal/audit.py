"""The audit trail: the one place entries are built and written; entries are read in the admin,
never edited."""

from collections.abc import Iterable

from portal.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    # Behind the production proxy the client address is the last hop it appended.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
