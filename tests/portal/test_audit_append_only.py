"""The audit trail is append-only through the ORM on every database: no queryset update or
delete. (On PostgreSQL a trigger refuses raw SQL too: tests/integration/test_audit_trigger.py.)"""

import pytest

from portal.audit import audit
from portal.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_a_queryset_cannot_update_audit_events(ngo_member):
    event = audit("test.action", actor=ngo_member)

    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.all().update(data={})

    assert AuditEvent.objects.get(pk=event.pk).action == "test.action"


def test_a_queryset_cannot_delete_audit_events(ngo_member):
    event = audit("test.action", actor=ngo_member)

    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_is_refused_too(ngo_member):
    event = audit("test.action", actor=ngo_member)
    event.action = "changed"

    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.bulk_update([event], ["action"])

    assert AuditEvent.objects.get(pk=event.pk).action == "test.action"


def test_deleting_an_account_keeps_its_audit_trail(ngo_member):
    """The actor link is cleared (SET_NULL); who it was stays in actor_email."""
    event = audit("test.action", actor=ngo_member)
    email = ngo_member.email

    User.objects.filter(pk=ngo_member.pk).delete()

    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_id, event.actor_email, event.action) == (None, email, "test.action")


def test_writing_new_entries_still_works(ngo_member):
    audit("one", actor=ngo_member)
    AuditEvent.objects.bulk_create([AuditEvent(action="two"), AuditEvent(action="three")])

    assert AuditEvent.objects.count() == 3
