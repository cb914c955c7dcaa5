"""Writing many rows fast: COPY on PostgreSQL, executemany elsewhere.

Rows are dicts keyed by field attname; every concrete column must be given, except an
auto-increment primary key, which the database assigns when the dict leaves it out. The
generator uses this instead of `bulk_create` because a million referrals with their targets,
events and decisions are some six million rows, and building model instances for each costs
more than the database needs to store them.
"""

# SQL here is built from model metadata (table and column names), never from input;
# values are always passed as parameters.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection, models


class RowWriter:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, model: type[models.Model], rows: Iterable[dict]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        first = rows[0]
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField) and f.attname not in first)
        ]
        names = [f.attname for f in fields]
        missing = [n for n in names if n not in first]
        if missing:
            raise ValueError(f"{model.__name__} rows lack {', '.join(missing)}")
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        if self.postgres:
            json_names = {f.attname for f in fields if isinstance(f, models.JSONField)}
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(row[n]) if n in json_names else row[n] for n in names])
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            values = [[f.get_db_prep_save(row[f.attname], connection) for f in fields] for row in rows]
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)
        return len(rows)

    def fast_session(self) -> None:
        """Inside a transaction on PostgreSQL: skip the per-row foreign-key triggers (the
        generator writes consistent rows, parents first) and do not wait for the WAL flush.
        Needs a superuser for the first; without one, rows are just checked as usual."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def reset_sequence(self, model: type[models.Model]) -> None:
        """After explicit primary keys: make the next automatic one follow the highest."""
        if not self.postgres:
            return  # SQLite's AUTOINCREMENT already follows the highest key inserted
        table = model._meta.db_table
        column = model._meta.pk.column
        with connection.cursor() as cursor:
            top = (
                f"SELECT COALESCE(MAX({connection.ops.quote_name(column)}), 1) FROM {connection.ops.quote_name(table)}"
            )
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), ({top}))", [table, column])
