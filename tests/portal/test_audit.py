import pytest

from portal.audit import audit
from portal.models import AuditEvent


def test_audit_events_are_append_only(ngo_member):
    event = audit("test.action", actor=ngo_member, reason="x")
    event.action = "changed"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.action"


def test_audit_records_actor_ip_and_data(rf, ngo_member, ngo):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10")
    event = audit("test.action", actor=ngo_member, obj=ngo, organisation=ngo, request=request, note="hello")
    assert event.actor_email == ngo_member.email
    assert event.ip == "192.0.2.10"
    assert event.object_type == "partners.organisation"
    assert event.object_id == str(ngo.pk)
    assert event.data == {"note": "hello"}
    assert event.at.tzinfo is not None


def test_the_admin_cannot_edit_audit_events(client, db):
    from django.contrib.admin.sites import site

    from portal.admin import AuditEventAdmin

    model_admin = AuditEventAdmin(AuditEvent, site)
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None)
    assert not model_admin.has_delete_permission(None)
