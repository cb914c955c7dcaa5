"""Subject.referral_count: how many referrals name each account, so the platform's
`related_count` and the subject page read one number instead of counting targets per row.

The backfill is one UPDATE … FROM an aggregate over the targets (a referral naming an
account twice counts once)."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Subject = apps.get_model("referrals", "Subject")
    Target = apps.get_model("referrals", "Target")
    q = schema_editor.connection.ops.quote_name
    subject, target = q(Subject._meta.db_table), q(Target._meta.db_table)
    schema_editor.execute(
        f"UPDATE {subject} SET referral_count = c.n FROM (SELECT subject_id, COUNT(DISTINCT referral_id) AS n "  # noqa: S608 (quoted table names)
        f"FROM {target} WHERE subject_id IS NOT NULL GROUP BY subject_id) AS c WHERE {subject}.id = c.subject_id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_referral_paused_seconds"),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="referral_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
