"""The search on PostgreSQL (SPEC §15): pg_trgm, its indexes, similarity, and the API's tests
again where the ranking is trigram similarity rather than SQLite's "contains"."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from referrals.models import Subject
from referrals.review.search import subject_search as find
from tests.referrals.review_factories import received
from tests.referrals.workbench.test_search_api import *  # noqa: F403 - the API's tests, on PostgreSQL

migration = importlib.import_module("referrals.migrations.0010_subject_account_trigram")

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [Subject._meta.db_table])
        return dict(cursor.fetchall())


def test_the_migration_created_pg_trgm_and_both_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
    indexes = _indexes()
    assert "USING gin (lower((account)::text) gin_trgm_ops)" in indexes[migration.TRIGRAM_INDEX]
    assert "USING btree (lower((account)::text))" in indexes[migration.EXACT_INDEX]


def test_the_migration_is_reversible():
    with connection.schema_editor() as editor:
        migration.drop(apps, editor)
    assert migration.TRIGRAM_INDEX not in _indexes() and migration.EXACT_INDEX not in _indexes()

    with connection.schema_editor() as editor:
        migration.create(apps, editor)
    assert {migration.TRIGRAM_INDEX, migration.EXACT_INDEX} <= set(_indexes())


def test_a_misspelt_part_of_a_handle_finds_the_account_by_similarity(reviewer, ngo_member):
    received(ngo_member, accounts=("recruiter", "recruiter_official", "preacher", "unrelated"))
    misspelt = "recruitr"  # no account contains it: only similarity finds them
    assert not Subject.objects.filter(account__contains=misspelt).exists()

    found = [s.account for s in find(reviewer, misspelt).subjects]

    assert found == ["recruiter", "recruiter_official"]


def test_an_exact_handle_comes_before_closer_looking_ones(reviewer, ngo_member):
    received(ngo_member, accounts=("news", "news_official", "newsroom", "daily_news"))

    found = [s.account for s in find(reviewer, "NEWS").subjects]

    assert found[0] == "news"
    assert set(found) == {"news", "news_official", "newsroom", "daily_news"}


def _fill(rows: int) -> None:
    """`rows` subjects named as the load generator names them, and fresh statistics."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Subject._meta.db_table} (id, platform, account, created_at, referral_count)
            SELECT gen_random_uuid(), (ARRAY['x', 'telegram', 'youtube'])[1 + g %% 3],
                   'load_' || g || '_' || g %% 2, now(), 1
            FROM generate_series(1, %s) g""",
            [rows],
        )
        cursor.execute(f"ANALYZE {Subject._meta.db_table}")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_part_of_a_handle_is_read_through_the_trigram_index(reviewer, ngo_member):
    _fill(50_000)
    received(ngo_member, accounts=("blackflag_media",))

    found = find(reviewer, "flag_medi").subjects

    assert [s.account for s in found[:50]] == ["blackflag_media"]
    plan = _plan(found[:50])
    assert f"Bitmap Index Scan on {migration.TRIGRAM_INDEX}" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_an_exact_handle_is_read_through_the_btree_index(reviewer):
    _fill(50_000)

    found = find(reviewer, "load_4242_0").subjects

    assert found[0].account == "load_4242_0"
    plan = _plan(found[:50])
    assert migration.EXACT_INDEX in plan, plan
