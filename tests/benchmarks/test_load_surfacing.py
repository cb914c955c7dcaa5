"""Load data generated before surfacing gets its folded handles and co-referral weights once,
from `reads.ensure_data`, so `make bench` keeps a benchmark database's million referrals."""

import pytest

from benchmarks import load_surfacing, reads
from referrals.models import Subject, SubjectLink


@pytest.fixture
def generated(routing_table):
    reads.ensure_data(300, log=lambda line: None)


@pytest.fixture
def before_surfacing(generated):
    """As a database generated before surfacing: no folded handles, no weights."""
    expected = {
        "folded": dict(Subject.objects.values_list("id", "folded_account")),
        "links": set(SubjectLink.objects.values_list("subject", "other", "weight", "last_referred_at")),
    }
    Subject.objects.update(folded_account="")
    SubjectLink.objects.all().delete()
    return expected


def test_a_fresh_generation_needs_no_backfill(generated):
    assert not load_surfacing.folded_missing() and not load_surfacing.links_missing()
    assert load_surfacing.backfill(log=lambda line: None) == {}


def test_ensure_data_backfills_existing_data_without_generating(before_surfacing, monkeypatch):
    monkeypatch.setattr(load_surfacing, "FOLD_CHUNK", 100)  # several chunks
    assert load_surfacing.folded_missing() and load_surfacing.links_missing()

    result = reads.ensure_data(300, log=lambda line: None)

    assert result["generated"] == 0 and result["present"] == 300
    assert result["backfilled"]["folded_subjects"] == len(before_surfacing["folded"])
    assert dict(Subject.objects.values_list("id", "folded_account")) == before_surfacing["folded"]
    links = set(SubjectLink.objects.values_list("subject", "other", "weight", "last_referred_at"))
    assert links == before_surfacing["links"]


def test_the_backfill_runs_once(before_surfacing):
    reads.ensure_data(300, log=lambda line: None)

    assert "backfilled" not in reads.ensure_data(300, log=lambda line: None)


def test_a_recount_sets_weights_rather_than_adding_to_them(generated):
    before = set(SubjectLink.objects.values_list("subject", "other", "weight"))

    load_surfacing.links_recount()

    assert set(SubjectLink.objects.values_list("subject", "other", "weight")) == before
