"""Database triggers that mark the receipt days whose transparency roll-ups a write changed.

Writers of referrals use the ORM, `queryset.update()` and raw SQL (routing writes a whole batch
with one `UPDATE … FROM (VALUES …)`), so only the database sees every change. A trigger adds
the UTC receipt day of each changed row to `dashboards_dirtyday`, in the writer's transaction:

- referrals inserted or deleted; referrals updated in a column a figure reads
  (`REFERRAL_COLUMNS`): the old row's day and the new one's (a moved receipt dirties both);
- decisions inserted, deleted, or updated in `action`, `on_time` or `referral_id`: the day of
  their referral;
- accounts (subjects) inserted, deleted, or updated in `suspended_at` or `suspended_by_id`: the
  day of the referral that suspended them, before and after;
- organisations whose `kind` changes (the submitter kind; only the admin can change it):
  the days of all their referrals.

PostgreSQL: statement-level triggers with transition tables, so a 2,000-row `UPDATE` marks its
days with one `INSERT … SELECT DISTINCT`. SQLite (development and the unit tests): row triggers.
Markers are always inserted, never "only if missing": a marker seen but deleted by a refresh
that cannot yet see this write would leave the day clean and stale.

`install()` is idempotent. The migration calls it, and so does every `migrate`
(`dashboards.apps`), because SQLite drops a table's triggers when a migration rebuilds the table.
"""

# SQL here is built from constant table and column names, never from input.
# ruff: noqa: S608

from __future__ import annotations

REFERRAL_COLUMNS = (
    "kind",
    "category",
    "organisation_id",
    "status",
    "queue_id",
    "received_at",
    "decided_at",
    "due_at",
    "breached",
    "paused_seconds",
)
DECISION_COLUMNS = ("action", "on_time", "referral_id")
SUBJECT_COLUMNS = ("suspended_at", "suspended_by_id")
TRIGGERS = (
    ("referral", "referrals_referral", ("INSERT", "UPDATE", "DELETE")),
    ("decision", "referrals_decision", ("INSERT", "UPDATE", "DELETE")),
    ("subject", "referrals_subject", ("INSERT", "UPDATE", "DELETE")),
    ("organisation", "partners_organisation", ("UPDATE",)),
)


def install(connection) -> None:
    with connection.cursor() as cursor:
        for statement in _postgresql() if connection.vendor == "postgresql" else _sqlite():
            cursor.execute(statement)


def mark_every_day(connection) -> None:
    """Mark every day that has referrals (the roll-ups' first fill, by the next refreshes)."""
    day = DAY if connection.vendor == "postgresql" else "date(received_at)"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO dashboards_dirtyday (day) SELECT DISTINCT {day} FROM referrals_referral")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for name, table, events in TRIGGERS:
            for event in events:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_trigger(name, event)}" + _on(connection, table))
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP FUNCTION IF EXISTS dashboards_mark_{name}_days()")


def _trigger(name: str, event: str) -> str:
    return f"dashboards_{name}_{event.lower()}"


def _on(connection, table: str) -> str:
    return f" ON {table}" if connection.vendor == "postgresql" else ""


# --- PostgreSQL -------------------------------------------------------------------------------
#
# Every statement is planned once per session and its plan reused, whatever the size of the
# transition tables. So none joins them to a large table: a referral's day is read from the
# transition tables themselves, and the other tables first collect the referral numbers (or
# organisations) they touched into an array, then read those referrals' days by index
# (`= ANY(keys)`), which is the right plan for one row as for a batch of thousands.

DAY = "(received_at AT TIME ZONE 'UTC')::date"
MARK = "INSERT INTO dashboards_dirtyday (day) SELECT DISTINCT day FROM ({days}) AS marked(day);"
COLLECT = "array_agg(DISTINCT key) FILTER (WHERE key IS NOT NULL)"  # NULL when there is none


def _changed(columns: tuple[str, ...], key: str, value: str) -> str:
    """`value` (an expression of `key` and `columns`) of each row the statement changed in one of
    `columns`, before and after. Set differences rather than a join of the two transition
    tables: they have no index, and a 2,000-row batch must not compare 2,000² pairs."""
    row = ", ".join((key, *columns))
    return " UNION ALL ".join(
        f"SELECT {value} FROM (SELECT {row} FROM {a} EXCEPT SELECT {row} FROM {b}) AS changed"
        for a, b in (("old_rows", "new_rows"), ("new_rows", "old_rows"))
    )


def _function(name: str, branches: dict[str, str], then: str = "", declare: str = "") -> str:
    body = " ".join(
        f"{'IF' if i == 0 else 'ELSIF'} TG_OP = '{op}' THEN {sql}" for i, (op, sql) in enumerate(branches.items())
    )
    return (
        f"CREATE OR REPLACE FUNCTION dashboards_mark_{name}_days() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"{declare} BEGIN {body} END IF; {then} RETURN NULL; END $$"
    )


def _by_keys(name: str, column: str, branches: dict[str, str], key_type: str = "bigint") -> str:
    """A function that collects `column` values into `keys`, then marks the days of the
    referrals whose `column` is one of them."""
    return _function(
        name,
        {op: f"SELECT {COLLECT} INTO keys FROM ({keys}) AS touched(key);" for op, keys in branches.items()},
        then=(
            "IF keys IS NOT NULL THEN "
            + MARK.format(days=f"SELECT {DAY} FROM referrals_referral WHERE {column} = ANY(keys)")
            + " END IF;"
        ),
        declare=f"DECLARE keys {key_type}[];",
    )


def _postgresql() -> list[str]:
    functions = [
        _function(
            "referral",
            {
                "INSERT": MARK.format(days=f"SELECT {DAY} FROM new_rows"),
                "UPDATE": MARK.format(days=_changed(REFERRAL_COLUMNS, "seq", DAY)),
                "DELETE": MARK.format(days=f"SELECT {DAY} FROM old_rows"),
            },
        ),
        _by_keys(
            "decision",
            "seq",
            {
                "INSERT": "SELECT referral_id FROM new_rows",
                "UPDATE": _changed(DECISION_COLUMNS, "id", "referral_id"),
                "DELETE": "SELECT referral_id FROM old_rows",
            },
        ),
        _by_keys(
            "subject",
            "seq",
            {
                "INSERT": "SELECT suspended_by_id FROM new_rows",
                "UPDATE": _changed(SUBJECT_COLUMNS, "id", "suspended_by_id"),
                "DELETE": "SELECT suspended_by_id FROM old_rows",
            },
        ),
        _by_keys("organisation", "organisation_id", {"UPDATE": _changed(("kind",), "id", "id")}),
    ]
    statements = []
    for function, (name, table, events) in zip(functions, TRIGGERS, strict=True):
        statements.append(function)
        for event in events:
            tables = {
                "INSERT": "NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            }[event]
            statements.append(
                f"CREATE OR REPLACE TRIGGER {_trigger(name, event)} AFTER {event} ON {table} "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION dashboards_mark_{name}_days()"
            )
    return statements


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_mark(days: str) -> str:
    return f"INSERT INTO dashboards_dirtyday (day) {days};"


def _sqlite() -> list[str]:
    referral_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in REFERRAL_COLUMNS)
    decision_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in DECISION_COLUMNS)
    subject_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in SUBJECT_COLUMNS)

    def day_of(seq: str) -> str:
        return f"SELECT date(received_at) FROM referrals_referral WHERE seq = {seq}"

    triggers = {
        ("referral", "INSERT"): ("", _sqlite_mark("SELECT date(NEW.received_at)")),
        ("referral", "DELETE"): ("", _sqlite_mark("SELECT date(OLD.received_at)")),
        ("referral", "UPDATE"): (
            f"WHEN {referral_changed}",
            _sqlite_mark("SELECT date(OLD.received_at)") + _sqlite_mark("SELECT date(NEW.received_at)"),
        ),
        ("decision", "INSERT"): ("", _sqlite_mark(day_of("NEW.referral_id"))),
        ("decision", "DELETE"): ("", _sqlite_mark(day_of("OLD.referral_id"))),
        ("decision", "UPDATE"): (
            f"WHEN {decision_changed}",
            _sqlite_mark(day_of("OLD.referral_id")) + _sqlite_mark(day_of("NEW.referral_id")),
        ),
        ("subject", "INSERT"): ("WHEN NEW.suspended_by_id IS NOT NULL", _sqlite_mark(day_of("NEW.suspended_by_id"))),
        ("subject", "DELETE"): ("WHEN OLD.suspended_by_id IS NOT NULL", _sqlite_mark(day_of("OLD.suspended_by_id"))),
        ("subject", "UPDATE"): (
            f"WHEN {subject_changed}",
            _sqlite_mark(day_of("OLD.suspended_by_id")) + _sqlite_mark(day_of("NEW.suspended_by_id")),
        ),
        ("organisation", "UPDATE"): (
            "WHEN OLD.kind IS NOT NEW.kind",
            _sqlite_mark("SELECT DISTINCT date(received_at) FROM referrals_referral WHERE organisation_id = NEW.id"),
        ),
    }
    statements = []
    for name, table, events in TRIGGERS:
        for event in events:
            when, body = triggers[name, event]
            statements.append(f"DROP TRIGGER IF EXISTS {_trigger(name, event)}")
            statements.append(
                f"CREATE TRIGGER {_trigger(name, event)} AFTER {event} ON {table} {when} BEGIN {body} END"
            )
    return statements
