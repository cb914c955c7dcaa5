"""Networks and hubs in `make bench` (benchmarks/reads.py, SPEC §14 and §21): the network of
the busiest hyper account and of an ordinary one, and the hubs, measured on the load data."""

import pytest

from benchmarks import load, reads
from referrals.models import Subject, SubjectLink

NETWORK = {"network_api_hyper", "network_page_hyper", "network_api_ordinary", "hubs_api", "hubs_page"}


@pytest.fixture
def generated(routing_table):
    reads.ensure_data(300, log=lambda line: None)


def test_the_read_benchmark_measures_networks_and_hubs(generated):
    lines = []

    results = reads.run(runs=2, log=lines.append)

    assert set(results) >= NETWORK
    for name in NETWORK:
        assert results[name]["runs"] == 2 and results[name]["queries"] > 0, name
        assert any(line.strip().startswith(name) for line in lines), name
    networks = results["data"]["networks"]
    assert networks["ordinary"]["links"] > 0 and networks["ordinary"]["nodes"] > 1
    assert networks["hyper"]["nodes"] > networks["ordinary"]["nodes"]
    assert Subject.objects.get(pk=networks["ordinary_id"]).referral_count == 1  # named once, with others


def test_the_network_read_has_the_budget_of_every_read_and_hubs_none():
    assert reads.budget_ms("network_api_hyper") == reads.budget_ms("network_api_ordinary") == 50
    assert reads.budget_ms("hubs_api") is None and reads.budget_ms("hubs_page") is None


def test_each_network_read_answers_a_reviewer(generated):
    reviewer = load.ensure_cast().reviewers[0]
    names = []

    reads.network_reads(
        lambda name, request: names.append((name, request().status_code)),
        reads._api(reviewer),
        reads._pages(reviewer),
        SubjectLink.objects.first().subject,
    )

    assert names == [
        (name, 200)
        for name in ("network_api_hyper", "network_page_hyper", "network_api_ordinary", "hubs_api", "hubs_page")
    ]
