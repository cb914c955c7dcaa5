"""The wave-2 work lists in `make bench` (benchmarks/reads.py, SPEC §16, §18, §21): the appeals a
lead works and an incident's surge queue, on data written for the measure and taken away after."""

import pytest

from benchmarks import load, reads, wave2_data
from referrals.models import Appeal, AppealStatus, Incident, Queue, Referral

WAVE2 = {"appeals_api", "appeals_page", "incident_worklist_api", "incident_worklist_page"}


@pytest.fixture
def generated(routing_table, tmp_path, monkeypatch):
    monkeypatch.setattr(wave2_data, "MOVED", tmp_path / "surge_moved.json")
    reads.ensure_data(300, log=lambda line: None)


def queues() -> dict:
    return dict(Referral.objects.values_list("seq", "queue_id"))


def measured(names: dict):
    """A `record` that makes each request twice, at page sizes 10 and 200 where it is a list."""

    def record(name, request, *, page_sizes=None):
        response = request()
        names[name] = {
            "status": response.status_code,
            "body": response.content.decode(),
            "queries": reads.queries_at(page_sizes) if page_sizes else None,
        }

    return record


def test_the_read_benchmark_measures_the_wave2_work_lists_within_the_common_budget(generated):
    lines = []

    results = reads.run(runs=2, log=lines.append)

    for name in WAVE2:
        assert results[name]["runs"] == 2 and results[name]["queries"] > 0, name
        assert reads.budget_ms(name) == 50
        assert any(line.strip().startswith(name) for line in lines), name
    for name in ("appeals_api", "incident_worklist_api"):
        sizes = results[name]["queries_by_page_size"]
        assert sizes["10"] == sizes["200"], name
    assert results["data"]["appeals"]["appeals"] > 0 and results["data"]["incident"]["referrals"] > 0


def test_a_lead_reads_the_open_appeals_and_they_are_gone_after(generated):
    cast = load.ensure_cast()
    names = {}

    written = reads.redress_reads(measured(names), cast)

    assert written["appeals"] > written["open"] > 0
    assert names["appeals_api"]["status"] == names["appeals_page"]["status"] == 200
    assert names["appeals_api"]["queries"]["10"] == names["appeals_api"]["queries"]["200"]
    assert "R-" in names["appeals_page"]["body"]
    assert not Appeal.objects.exists()


def test_appeals_are_rows_the_services_would_leave(generated):
    cast = load.ensure_cast()

    with wave2_data.appeals(cast, count=40) as written:
        appeals = list(Appeal.objects.select_related("referral", "decision"))
        assert len(appeals) == written["appeals"] > 0
        for appeal in appeals:
            assert appeal.decision.referral_id == appeal.referral_id
            assert appeal.filed_at > appeal.decision.decided_at
            assert (appeal.status == AppealStatus.DECIDED) == bool(appeal.outcome)
            assert appeal.is_complaint == (appeal.organisation_id is None)

    assert not Appeal.objects.exists()


def test_a_reviewer_reads_the_surge_queue_and_every_referral_goes_back(generated):
    cast = load.ensure_cast()
    reviewer = cast.reviewers[0]
    before = queues()
    names = {}

    surge = reads.incident_reads(measured(names), cast, reviewer, keep_queue="general")

    assert surge["slug"].startswith("incident-") and surge["referrals"] > 0
    assert names["incident_worklist_api"]["status"] == names["incident_worklist_page"]["status"] == 200
    assert names["incident_worklist_api"]["queries"]["10"] == names["incident_worklist_api"]["queries"]["200"]
    assert names["incident_worklist_api"]["body"].count('"reference"') > 0
    assert queues() == before
    assert not Incident.objects.exists() and not Queue.objects.filter(slug=surge["slug"]).exists()
    assert not wave2_data.MOVED.exists()


def test_a_surge_left_by_a_stopped_run_is_put_back_first(generated):
    cast = load.ensure_cast()
    before = queues()
    stopped = wave2_data.surge(cast, cast.reviewers[0], keep_queue="general")
    surge = stopped.__enter__()  # and never left, as when the run is killed
    assert Referral.objects.filter(queue__slug=surge["slug"]).count() == surge["referrals"] > 0

    with wave2_data.surge(cast, cast.reviewers[0], keep_queue="general", count=2) as again:
        assert Referral.objects.filter(queue__slug=again["slug"]).count() == again["referrals"] == 2

    assert queues() == before
    assert not Incident.objects.exists()
