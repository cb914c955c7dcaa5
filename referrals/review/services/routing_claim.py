"""Writing a routing batch: every referral of the batch claimed and written by one statement."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Model

from referrals.models import Referral, Status

# The columns routing writes, in the order of the claim's VALUES rows.
CLAIM_COLUMNS = (
    "status",
    "queue",
    "priority",
    "due_at",
    "routing_reasons",
    "routed_at",
    "closed_at",
    "related",
    "incident",
)
CLAIM_CHUNK = 2_000  # rows per statement: 11 parameters each (the seq and the columns) stay under every backend's limit


def referrals_claim_routed(*, changes: dict[int, dict], now: datetime) -> set[int]:
    """Write each referral's routing (`{seq: {field: value}}`, fields of CLAIM_COLUMNS) if it
    is still `received`, and return the numbers written.

    One `UPDATE … FROM (…) WHERE status = 'received' RETURNING seq` per 2,000 rows on
    PostgreSQL (the rows as one array per column) and SQLite ≥ 3.35 (a VALUES list), instead
    of an UPDATE per row: the per-row condition is the same, so the returned numbers are
    exactly the referrals this call routed.
    """
    if not _updates_from_values():
        return {seq for seq, fields in changes.items() if _claim_one(seq, fields, now)}
    items = sorted(changes.items())
    claimed: set[int] = set()
    for start in range(0, len(items), CLAIM_CHUNK):
        claimed.update(_claim_many(items[start : start + CLAIM_CHUNK], now))
    return claimed


def _updates_from_values() -> bool:
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version_info >= (3, 35)  # UPDATE … FROM (3.33) and RETURNING (3.35)
    return False


def _claim_one(seq: int, fields: dict, now: datetime) -> bool:
    return Referral.objects.filter(seq=seq, status=Status.RECEIVED).update(**fields, updated_at=now) == 1


def _claim_many(items: list[tuple[int, dict]], now: datetime) -> list[int]:
    meta = Referral._meta
    q = connection.ops.quote_name
    table = q(meta.db_table)
    model_fields = [meta.get_field(name) for name in ("seq", *CLAIM_COLUMNS)]
    rows: list[list] = []
    for seq, fields in items:
        values = {"seq": seq, "closed_at": None, "related": None, "incident": None, **fields}
        for name in ("related", "incident"):
            if f"{name}_id" in values:
                values[name] = values.pop(f"{name}_id")
        row = []
        for field in model_fields:
            value = values[field.name]
            if isinstance(value, Model):
                value = value.pk
            row.append(field.get_db_prep_save(value, connection))
        rows.append(row)
    if connection.vendor == "postgresql":
        # One typed array per column, whatever the number of rows: PostgreSQL parses and
        # plans eleven parameters, not eleven per row (as Django's bulk_create does).
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in model_fields)
        source = f"SELECT * FROM UNNEST({arrays})"  # noqa: S608 (column types from the model)
        params: list = [list(column) for column in zip(*rows, strict=True)]
    else:
        placeholder = "(" + ", ".join("%s" for _ in model_fields) + ")"
        source = f"VALUES {', '.join([placeholder] * len(rows))}"
        params = [value for row in rows for value in row]
    columns = ", ".join(q(f.column) for f in model_fields)
    # closed_at and related are written only for duplicates, incident only for referrals
    # matching one; NULL keeps what the row has.
    assignments = ", ".join(
        f"{q(f.column)} = COALESCE(v.{q(f.column)}, {table}.{q(f.column)})"
        if f.name in ("closed_at", "related", "incident")
        else f"{q(f.column)} = v.{q(f.column)}"
        for f in model_fields[1:]
    )
    updated_at = meta.get_field("updated_at")
    sql = (
        f"WITH v ({columns}) AS ({source}) "  # noqa: S608 (quoted names)
        f"UPDATE {table} SET {assignments}, {q(updated_at.column)} = %s "
        f"FROM v WHERE {table}.{q('seq')} = v.{q('seq')} AND {table}.{q('status')} = %s "
        f"RETURNING {table}.{q('seq')}"
    )
    params += [updated_at.get_db_prep_save(now, connection), Status.RECEIVED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
