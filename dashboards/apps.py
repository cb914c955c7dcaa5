from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self):
        post_migrate.connect(_reinstall_triggers, sender=self)


def _reinstall_triggers(using, **kwargs) -> None:
    """The roll-ups' triggers again after every `migrate`: SQLite drops a table's triggers when a
    migration rebuilds the table (an altered referrals column does), PostgreSQL keeps them.
    Not before the roll-ups' own migration has made the table they write to."""
    from django.db import connections

    from dashboards.transparency import triggers

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {"dashboards_dirtyday", *(table for _, table, _ in triggers.TRIGGERS)} <= tables:
        triggers.install(connection)
