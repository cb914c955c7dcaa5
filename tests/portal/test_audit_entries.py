"""Entries built without saving (`audit_entry`) and written in one statement (`audit_many`), as
routing and the deadline watch do, are the same entries `audit` writes one at a time."""

from django.contrib.auth.models import AnonymousUser

from portal.audit import audit, audit_entry, audit_many
from portal.models import AuditEvent


def test_a_built_entry_is_unsaved_until_written_with_the_others(ngo_member, ngo):
    entries = [audit_entry("test.bulk", actor=ngo_member, obj=ngo, organisation=ngo, n=n) for n in range(3)]
    assert all(e.pk is None for e in entries)
    assert not AuditEvent.objects.filter(action="test.bulk").exists()
    audit_many(entries)
    rows = AuditEvent.objects.filter(action="test.bulk").order_by("pk")
    assert [(r.actor_email, r.object_type, r.object_id, r.organisation, r.data) for r in rows] == [
        (ngo_member.email, "partners.organisation", str(ngo.pk), ngo, {"n": n}) for n in range(3)
    ]


def test_built_and_written_entries_agree(ngo_member, ngo):
    written = audit("test.same", actor=ngo_member, obj=ngo, organisation=ngo, note="x")
    (built,) = audit_many([audit_entry("test.same", actor=ngo_member, obj=ngo, organisation=ngo, note="x")])
    fields = ("actor_id", "actor_email", "action", "object_type", "object_id", "organisation_id", "ip", "data")
    assert [getattr(built, f) for f in fields] == [getattr(written, f) for f in fields]


def test_an_anonymous_actor_is_recorded_as_nobody(db):
    entry = audit_entry("test.anon", actor=AnonymousUser(), email="someone@example.org")
    assert (entry.actor, entry.actor_email) == (None, "someone@example.org")
