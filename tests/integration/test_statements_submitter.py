"""SPEC §22 on real PostgreSQL, Redis and celery worker processes: the submitter sends every
statement of reasons to a local server applying the DSA Transparency Database's rules, in
batches of up to 100, records the database's ids, and sends none twice, even when the worker
is killed while the database holds the answer to a batch it has already stored.

Run in the integration lane (PORTAL_TEST_LANE=integration).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from partners.models import Role
from referrals.models import StatementSubmission
from referrals.review.services.statements import LEASE
from tests.factories import make_member
from tests.integration.conftest import wait_until
from tests.referrals.review_factories import decided_many

pytestmark = pytest.mark.integration
State = StatementSubmission.State


@pytest.fixture
def sending_to(tdb_server, monkeypatch):
    """Workers started from here send to the local database server."""
    monkeypatch.setenv("PORTAL_DSA_TDB_URL", tdb_server.url)
    monkeypatch.setenv("PORTAL_DSA_TDB_TOKEN", tdb_server.token)
    monkeypatch.setenv("PORTAL_DSA_TDB_TIMEOUT", "30")
    return tdb_server


def _submit() -> None:
    from portal.celery import app

    app.send_task("referrals.tasks.submit_statements")


def _all_sent(count: int):
    return lambda: StatementSubmission.objects.filter(state=State.SENT).count() == count


def test_the_worker_sends_them_in_batches_and_records_the_database_ids(
    routing_table, worker_factory, sending_to, ngo, platform
):
    lead = make_member(platform, Role.QUEUE_LEAD)
    referrals = decided_many(lead, make_member(ngo, Role.NGO_MEMBER), 230)
    worker_factory()

    _submit()
    wait_until(_all_sent(230), timeout=120)

    assert [len(batch) for batch in sending_to.posts] == [100, 100, 30]
    assert sending_to.posts[0][0] == referrals[0].reference  # oldest decision first
    for row in StatementSubmission.objects.all():
        assert row.database_id == sending_to.stored[row.puid]["uuid"]
    _submit()  # a second run finds nothing to send
    _submit()
    wait_until(lambda: not StatementSubmission.objects.exclude(state=State.SENT).exists(), timeout=30)
    assert len(sending_to.posts) == 3
    assert sending_to.repeats == 0


def test_a_worker_killed_mid_batch_sends_no_statement_twice(routing_table, worker_factory, sending_to, ngo, platform):
    lead = make_member(platform, Role.QUEUE_LEAD)
    referrals = decided_many(lead, make_member(ngo, Role.NGO_MEMBER), 150)
    sending_to.hold.clear()  # the database stores the first batch and keeps its answer back
    first = worker_factory()

    _submit()
    assert sending_to.received.wait(120), first.log_tail()
    first.kill()
    sending_to.hold.set()

    in_flight = StatementSubmission.objects.filter(state=State.SENDING)
    assert in_flight.count() == 100
    assert StatementSubmission.objects.filter(state=State.PENDING).count() == 50
    # As if the dead run's lease had run out.
    in_flight.update(claimed_at=F("claimed_at") - LEASE - timedelta(seconds=1))
    worker_factory()
    _submit()
    wait_until(_all_sent(150), timeout=120)

    assert len(sending_to.stored) == 150
    assert sending_to.repeats == 0
    assert all(sending_to.sent_times(r.reference) == 1 for r in referrals)
    assert [len(batch) for batch in sending_to.posts] == [100, 50]
    assert sorted(sending_to.checks) == sorted(r.reference for r in referrals[:100])
    recovered = StatementSubmission.objects.filter(puid__in=[r.reference for r in referrals[:100]])
    assert {row.last_error for row in recovered} == {"The database already held a statement with this identifier."}
