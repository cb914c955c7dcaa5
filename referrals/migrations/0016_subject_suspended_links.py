"""Networks and hubs at a million referrals (SPEC §14, §21).

- Subject.suspended_links: how many of an account's co-referral links lead to a suspended
  account, kept by intake, decisions and reinstatements from now on; counted here once from the
  links and accounts already stored (one aggregate over the links, exact, idempotent).
- The heaviest links' index of SubjectLink gains the other account (built before the old one is
  dropped, so networks are never read without one).
"""

# SQL built from the models' table names, never from input.
# ruff: noqa: S608

from django.db import migrations, models


def count(apps, schema_editor):
    Subject = apps.get_model("referrals", "Subject")
    SubjectLink = apps.get_model("referrals", "SubjectLink")
    q = schema_editor.connection.ops.quote_name
    subject, link = q(Subject._meta.db_table), q(SubjectLink._meta.db_table)
    counts = (
        f"SELECT l.subject_id, COUNT(*) AS n FROM {link} l JOIN {subject} o ON o.id = l.other_id "
        "WHERE o.suspended_at IS NOT NULL GROUP BY l.subject_id"
    )
    schema_editor.execute(
        f"UPDATE {subject} SET suspended_links = c.n FROM ({counts}) AS c "
        f"WHERE {subject}.id = c.subject_id AND {subject}.suspended_links <> c.n"
    )


class Migration(migrations.Migration):
    # The column first (with a database default: no table rewrite, and writers that do not
    # know it yet still insert), then the count in a statement of its own, so a table of a
    # million accounts is not locked against writers while it is counted.
    atomic = False

    dependencies = [
        ("referrals", "0015_crisis"),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="suspended_links",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(count, migrations.RunPython.noop),
        # The heaviest links' index gains the other account, so a network is read from it alone.
        migrations.AddIndex(
            model_name="subjectlink",
            index=models.Index(fields=["subject", "-weight", "other"], name="subjectlink_heaviest_other"),
        ),
        migrations.RemoveIndex(
            model_name="subjectlink",
            name="subjectlink_heaviest",
        ),
    ]
