"""A bulk job reads only its next batch of items on PostgreSQL (`jsonb_path_query_array`):
every row is imported once, in order, and a bad row is reported by its line."""

import pytest

from partners.models import Role
from referrals.intake.services.bulk import bulk_job_create, bulk_job_step, parse_csv
from referrals.models import BulkJob, Referral
from tests.factories import make_member
from tests.referrals.intake.test_bulk import csv_bytes, good_row

pytestmark = pytest.mark.integration


def test_a_job_imports_each_row_once_batch_by_batch(transactional_db, routing_table, ngo):
    rows = [good_row(n) for n in range(1_203)]
    rows[700] = {**rows[700], "explanation": "short"}
    job = bulk_job_create(user=make_member(ngo, Role.NGO_MEMBER), items=parse_csv(csv_bytes(rows)))

    steps = 1
    while bulk_job_step(job_id=job.id, batch_size=500):
        steps += 1

    job.refresh_from_db()
    assert steps == 3
    assert (job.status, job.processed, job.created, job.failed) == ("done", 1_203, 1_202, 1)
    assert [e["row"] for e in job.errors] == [702]  # the header is line 1
    accounts = sorted(
        int(a.removeprefix("account"))
        for a in Referral.objects.values_list("targets__account", flat=True)
        if a.startswith("account")
    )
    assert accounts == [n for n in range(1_203) if n != 700]
    assert BulkJob.objects.get(pk=job.id).items  # kept until the task drops them
