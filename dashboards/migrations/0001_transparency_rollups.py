"""The transparency report's per-day roll-ups (issue 21): their tables, and the triggers that
mark the days a write changes (dashboards.transparency.triggers). Every day that has referrals
is marked here, so the first refreshes (the beat task, or a report's own period) fill them.
"""

from django.db import migrations, models


def install_triggers(apps, schema_editor):
    from dashboards.transparency import triggers

    triggers.install(schema_editor.connection)
    triggers.mark_every_day(schema_editor.connection)


def uninstall_triggers(apps, schema_editor):
    from dashboards.transparency import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("partners", "0004_webhooks"),
        ("referrals", "0015_crisis"),
    ]

    operations = [
        migrations.CreateModel(
            name='DirtyDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name='DailyCategories',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('category', models.CharField(max_length=24)),
                ('received', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['day'], name='daily_categories_day')],
            },
        ),
        migrations.CreateModel(
            name='DailyFigures',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(max_length=24)),
                ('submitter_kind', models.CharField(max_length=20)),
                ('status', models.CharField(max_length=12)),
                ('queue_id', models.BigIntegerField(null=True)),
                ('action', models.CharField(max_length=24, null=True)),
                ('received', models.PositiveIntegerField()),
                ('decided_by_due', models.PositiveIntegerField()),
                ('breached', models.PositiveIntegerField()),
                ('decided_on_time', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['day'], name='daily_figures_day')],
            },
        ),
        migrations.CreateModel(
            name='DailySuspensions',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('since', models.DateField()),
                ('accounts', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['day', 'since'], name='daily_suspensions_day')],
            },
        ),
        migrations.CreateModel(
            name='DecisionMinutes',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(max_length=24)),
                ('bucket', models.IntegerField()),
                ('decided', models.PositiveIntegerField()),
                ('minutes', models.JSONField(default=list)),
            ],
            options={
                'indexes': [models.Index(fields=['day', 'kind', 'bucket'], name='decision_minutes_day')],
            },
        ),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
