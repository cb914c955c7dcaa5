"""The leads' insights in `make bench` (benchmarks/reads.py, SPEC §15 and §21): the API and the
page answer the load's queue lead over the default period, at their own budget of 200 ms."""

from io import StringIO

import pytest
from django.core.management import call_command

from benchmarks import load, reads
from referrals.models import Queue

INSIGHTS = {"insights_api", "insights_page"}


@pytest.fixture
def generated(routing_table):
    call_command("generate_load", referrals=300, seed=11, batch=300, stdout=StringIO())


def test_the_read_benchmark_measures_the_insights_at_their_budget(generated):
    lines = []

    results = reads.run(runs=2, log=lines.append)

    assert set(results) >= INSIGHTS
    for name in INSIGHTS:
        assert results[name]["runs"] == 2 and results[name]["queries"] > 0, name
        assert any(line.strip().startswith(name) for line in lines)
    assert (reads.budget_ms("insights_api"), reads.budget_ms("worklist_api")) == (200, 50)


def test_the_benchmarked_insights_answer_the_lead_with_every_queue(generated):
    lead = load.ensure_cast().lead
    answers = {}

    def record(name, request, *, page_sizes=None):
        answers[name] = request()

    reads.insights_reads(record, reads._api(lead), reads._pages(lead))

    assert set(answers) == INSIGHTS
    body = answers["insights_api"].json()
    assert [q["slug"] for q in body["queues"]] == list(Queue.objects.values_list("slug", flat=True))
    assert sum(q["backlog"] for q in body["queues"]) > 0
    page = answers["insights_page"]
    assert page.status_code == 200
    assert [q["item"].slug for q in page.context["queues"]] == [q["slug"] for q in body["queues"]]
