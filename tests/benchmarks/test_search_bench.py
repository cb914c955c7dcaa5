"""The search in `make bench` (benchmarks/reads.py, SPEC §15 and §21): its reads run against the
generated load data, find what they look for, and cost the same queries at any page size."""

from unittest.mock import ANY

import pytest
from django.db.models import Count

from benchmarks import load, reads
from referrals.models import Subject, Target

SEARCHES = {"search_url_api", "search_handle_api", "search_reference_api", "search_page"}


@pytest.fixture
def generated(routing_table):
    """The read benchmark's own way to its data (`make bench` with --quick asks for 10,000)."""
    assert reads.ensure_data(300, log=lambda line: None) == {"generated": 300, "present": 300, "generate_seconds": ANY}


def _hyper() -> Subject:
    top = Target.objects.values("subject_id").annotate(n=Count("id")).order_by("-n").first()
    return Subject.objects.get(pk=top["subject_id"])


def test_the_read_benchmark_measures_the_search(generated):
    lines = []

    results = reads.run(runs=2, log=lines.append)

    assert set(results) >= SEARCHES
    for name in SEARCHES:
        assert results[name]["runs"] == 2 and results[name]["queries"] > 0, name
    assert len(set(results["search_handle_api"]["queries_by_page_size"].values())) == 1
    assert any(line.strip().startswith("search_handle_api") for line in lines)


def test_each_benchmarked_search_finds_the_hyper_subject(generated):
    subject = _hyper()
    assert subject.platform in {"x", "telegram", "facebook", "youtube", "tiktok", "instagram"}
    reviewer = load.ensure_cast().reviewers[0]
    answers = {}

    def record(name, request, *, page_sizes=None):
        answers[name] = request()
        if page_sizes is not None:
            answers[f"{name}/200"] = page_sizes(200)

    reads.search_reads(record, reads._api(reviewer), reads._pages(reviewer), subject)

    assert set(answers) == SEARCHES | {"search_handle_api/200"}
    assert [hit["id"] for hit in answers["search_url_api"].json()["results"]] == [str(subject.id)]
    assert str(subject.id) in [hit["id"] for hit in answers["search_handle_api"].json()["results"]]
    assert str(subject.id) in [hit["id"] for hit in answers["search_reference_api"].json()["results"]]
    assert answers["search_reference_api"].json()["referral"] is not None
    assert subject in answers["search_page"].context["subjects"]
