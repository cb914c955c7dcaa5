"""The search's indexes (SPEC §15): a handle, or part of one, finds its subject.

On PostgreSQL only: the pg_trgm extension and a GIN trigram index on `lower(account)`, which
serves "contains" (`LIKE '%…%'`) and word similarity (`%>`) for part of a handle, and a btree
index on `lower(account)` for the exact handle on any platform: the trigram index answers
equality too, but by rechecking every account that has the handle's trigrams, which for a
common word ("load", "news") is most of them (1.3 s at 1.2 million subjects, 0.1 ms with the
btree). See referrals/review/search.py. SQLite gets neither; the search falls back to a
case-insensitive "contains" there.

They are not model indexes (an operator class on an expression, for one database only), so
the model state, and `makemigrations`, know nothing of them.
"""

from django.db import migrations

TRIGRAM_INDEX = "subject_account_trgm"
EXACT_INDEX = "subject_account_lower"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("referrals", "Subject")._meta.db_table)
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON {table} USING gin (lower(account) gin_trgm_ops)"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {EXACT_INDEX} ON {table} (lower(account))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: other database objects may use it, and unused it costs nothing.
    schema_editor.execute(f"DROP INDEX IF EXISTS {EXACT_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0009_workbench"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
