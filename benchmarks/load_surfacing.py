"""What intake keeps for surfacing (SPEC §14), for the load data that bypasses intake.

Intake folds each new subject's handle (`Subject.folded_account`) and adds the co-referral
weights of each filing (`SubjectLink`, both directions). The generator writes the folded
handle with each subject row and adds the weights of each block of referrals it writes, in
one `INSERT … SELECT … GROUP BY` over the block's targets. `backfill` fills both, once, for
load data generated before they existed, so a benchmark database keeps its million referrals.
"""

# SQL here is built from model metadata (table and column names), never from input;
# values are always passed as parameters.
# ruff: noqa: S608

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection, transaction

from referrals.engine.folding import fold_handle
from referrals.models import Referral, Subject, SubjectLink, Target
from referrals.models.surfacing import subject_suspended_links_recount

from .cast import ACCOUNT_PREFIX

FOLD_CHUNK = 20_000


def _names() -> dict:
    q = connection.ops.quote_name
    return {
        "link": q(SubjectLink._meta.db_table),
        "target": q(Target._meta.db_table),
        "referral": q(Referral._meta.db_table),
        "subject": q(Subject._meta.db_table),
    }


def _pairs_select(where: str) -> str:
    """Each ordered pair of distinct subjects named by one referral, with how many referrals
    name both and the latest of their receipts."""
    n = _names()
    return (
        f"SELECT a.subject_id, b.subject_id, COUNT(DISTINCT a.referral_id), MAX(r.received_at) "
        f"FROM {n['target']} a "
        f"JOIN {n['target']} b ON b.referral_id = a.referral_id AND b.subject_id <> a.subject_id "
        f"JOIN {n['referral']} r ON r.seq = a.referral_id "
        f"WHERE {where} GROUP BY a.subject_id, b.subject_id"
    )


def _upsert(select: str, *, add: bool) -> str:
    n = _names()
    latest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    weight = f"{n['link']}.weight + excluded.weight" if add else "excluded.weight"
    last = f"{latest}({n['link']}.last_referred_at, excluded.last_referred_at)" if add else "excluded.last_referred_at"
    return (
        f"INSERT INTO {n['link']} (subject_id, other_id, weight, last_referred_at) {select} "
        f"ON CONFLICT (subject_id, other_id) DO UPDATE SET weight = {weight}, last_referred_at = {last}"
    )


def links_add(*, seq_from: int, seq_to: int) -> int:
    """Add the weights of referrals `seq_from`…`seq_to` (just written, inside the caller's
    transaction) to `SubjectLink`, as intake's `subject_links_add` does for a filing, with the
    suspended accounts the new links lead to (`Subject.suspended_links`), counted first."""
    with connection.cursor() as cursor:
        cursor.execute(_fresh_to_suspended("a.referral_id BETWEEN %s AND %s"), [seq_from, seq_to])
        cursor.execute(_upsert(_pairs_select("a.referral_id BETWEEN %s AND %s"), add=True), [seq_from, seq_to])
        return max(cursor.rowcount, 0)


def _fresh_to_suspended(where: str) -> str:
    """Add to each account's suspended links those of its pairs (`where`) that have no link yet
    and lead to a suspended account: run before the links are written."""
    n = _names()
    pairs = (
        f"SELECT DISTINCT a.subject_id AS subject_id, b.subject_id AS other_id FROM {n['target']} a "
        f"JOIN {n['target']} b ON b.referral_id = a.referral_id AND b.subject_id <> a.subject_id WHERE {where}"
    )
    fresh = (
        f"SELECT p.subject_id, COUNT(*) AS n FROM ({pairs}) p JOIN {n['subject']} o ON o.id = p.other_id "
        f"WHERE o.suspended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {n['link']} l "
        f"WHERE l.subject_id = p.subject_id AND l.other_id = p.other_id) GROUP BY p.subject_id"
    )
    return (
        f"UPDATE {n['subject']} SET suspended_links = {n['subject']}.suspended_links + c.n FROM ({fresh}) AS c "
        f"WHERE {n['subject']}.id = c.subject_id"
    )


def links_missing() -> bool:
    """Whether the first pair of subjects named by one referral has no link: data generated
    before the weights existed. The first is enough: the backfill fills every pair at once, and
    the generator adds each block's, so old data without links is always the oldest."""
    n = _names()
    first = (
        f"SELECT a.subject_id, b.subject_id FROM {n['target']} a "
        f"JOIN {n['target']} b ON b.referral_id = a.referral_id AND b.subject_id <> a.subject_id "
        f"ORDER BY a.referral_id LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(first)
        pair = cursor.fetchone()
        if pair is None:
            return False
        cursor.execute(f"SELECT 1 FROM {n['link']} WHERE subject_id = %s AND other_id = %s", list(pair))
        return cursor.fetchone() is None


def links_recount() -> int:
    """Set every link's weight and last referral from the targets (exact, idempotent)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_upsert(_pairs_select("a.subject_id IS NOT NULL"), add=False))
        return max(cursor.rowcount, 0)


def _unfolded() -> tuple[str, list]:
    like = ACCOUNT_PREFIX.replace("_", "!_") + "%"
    n = _names()
    return f"SELECT id, account FROM {n['subject']} WHERE account LIKE %s ESCAPE '!' AND folded_account = ''", [like]


def folded_missing() -> bool:
    sql, params = _unfolded()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT 1", params)
        return cursor.fetchone() is not None


def folded_fill() -> int:
    """Fold the handles of load subjects that have none, `FOLD_CHUNK` at a time in key order."""
    sql, params = _unfolded()
    done, after = 0, None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            since = "" if after is None else " AND id > %s"
            cursor.execute(f"{sql}{since} ORDER BY id LIMIT {FOLD_CHUNK}", params + ([] if after is None else [after]))
            rows = [(pk, fold_handle(account)) for pk, account in cursor.fetchall()]
            if not rows:
                return done
            _folded_write(cursor, rows)
            done, after = done + len(rows), rows[-1][0]


def _folded_write(cursor, rows: list) -> None:
    table = _names()["subject"]
    if connection.vendor == "postgresql":
        values = ", ".join(["(%s::uuid, %s)"] * len(rows))
        cursor.execute(
            f"UPDATE {table} s SET folded_account = v.folded FROM (VALUES {values}) AS v(id, folded) WHERE s.id = v.id",
            [value for row in rows for value in row],
        )
    else:
        cursor.executemany(
            f"UPDATE {table} SET folded_account = %s WHERE id = %s", [(folded, pk) for pk, folded in rows]
        )


def backfill(log: Callable[[str], None] = print) -> dict:
    """Fill the folded handles and co-referral weights of load data generated before them
    (once: a second call finds nothing missing and writes nothing)."""
    done: dict = {}
    started = time.monotonic()
    if folded_missing():
        log("  folding the handles of load subjects generated before look-alikes…")
        done["folded_subjects"] = folded_fill()
    if links_missing():
        log("  counting co-referral weights for load data generated before networks…")
        done["links"] = links_recount()
        with transaction.atomic():
            subject_suspended_links_recount()
    if done:
        done["seconds"] = round(time.monotonic() - started, 1)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {_names()['link']}")
    return done
