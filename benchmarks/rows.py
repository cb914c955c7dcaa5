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

    def reserve_keys(self, model: type[models.Model], count: int) -> int:
        """The first of `count` consecutive primary keys nobody else will be given, so the
        generator can write them while the portal (or the benchmark) inserts beside it."""
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            if self.postgres:
                sequence = f"pg_get_serial_sequence('{model._meta.db_table}', '{model._meta.pk.column}')"
                cursor.execute(
                    f"SELECT setval({sequence}, GREATEST(nextval({sequence}), "
                    f"(SELECT COALESCE(MAX({column}), 0) + 1 FROM {table})) + %s - 1) - %s + 1",
                    [count, count],
                )
                return cursor.fetchone()[0]
            # SQLite writes one transaction at a time; its AUTOINCREMENT follows the highest key.
            cursor.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}")
            return cursor.fetchone()[0]
