"""On PostgreSQL the audit trail is append-only in the database itself: a trigger refuses
UPDATE and DELETE of audit rows, whatever the client (raw SQL included). Only the clearing of
a deleted account's or organisation's link (ON DELETE SET NULL) is let through."""

import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit import audit
from portal.models import AuditEvent, User

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = AuditEvent._meta.db_table
REFUSED = r"Cannot (update|delete) rows"


def _raw(sql: str, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def test_raw_sql_cannot_update_an_audit_row(ngo_member):
    event = audit("test.action", actor=ngo_member, note="original")

    with pytest.raises(DatabaseError, match=REFUSED):
        _raw(f'UPDATE "{TABLE}" SET action = %s WHERE id = %s', ["forged", event.pk])

    assert AuditEvent.objects.get(pk=event.pk).action == "test.action"


def test_raw_sql_cannot_rewrite_the_actor_of_an_audit_row(ngo_member, ngo_admin):
    event = audit("test.action", actor=ngo_member)

    with pytest.raises(DatabaseError, match=REFUSED):
        _raw(f'UPDATE "{TABLE}" SET actor_id = %s WHERE id = %s', [ngo_admin.pk, event.pk])

    assert AuditEvent.objects.get(pk=event.pk).actor_id == ngo_member.pk


def test_raw_sql_cannot_delete_audit_rows(ngo_member):
    event = audit("test.action", actor=ngo_member)

    with pytest.raises(DatabaseError, match=REFUSED):
        _raw(f'DELETE FROM "{TABLE}" WHERE id = %s', [event.pk])
    with pytest.raises(DatabaseError, match=REFUSED):
        _raw(f'DELETE FROM "{TABLE}"')

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_an_account_clears_only_the_link_of_its_audit_rows(ngo_member):
    event = audit("test.action", actor=ngo_member)

    User.objects.filter(pk=ngo_member.pk).delete()

    row = AuditEvent.objects.get(pk=event.pk)
    assert (row.actor_id, row.actor_email, row.action) == (None, ngo_member.email, "test.action")


def test_inserting_still_works(ngo_member):
    _raw(
        f'INSERT INTO "{TABLE}" (at, actor_email, action, object_type, object_id, data) '
        "VALUES (now(), '', 'raw', '', '', '{}')"
    )

    assert AuditEvent.objects.filter(action="raw").exists()
