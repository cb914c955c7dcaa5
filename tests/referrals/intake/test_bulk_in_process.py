"""Without a broker (`make run`), a bulk import runs beside the request, so its page can watch it."""

import threading

import pytest

from portal import queueing
from referrals.intake.services import bulk
from referrals.intake.services.bulk import bulk_job_create, parse_csv
from referrals.models import BulkJob, Referral
from tests.referrals.intake.test_bulk import csv_bytes, good_row


@pytest.mark.django_db(transaction=True)
def test_an_in_process_bulk_import_returns_at_once_and_advances_batch_by_batch(ngo_member, settings, monkeypatch):
    settings.PORTAL_BACKGROUND_IN_PROCESS = True
    go = threading.Event()
    seen = []
    step = bulk.bulk_job_step

    def watched_step(**kwargs):
        go.wait(timeout=30)
        more = step(job_id=kwargs["job_id"], batch_size=200)
        seen.append(BulkJob.objects.get(pk=kwargs["job_id"]).processed)
        return more

    monkeypatch.setattr(bulk, "bulk_job_step", watched_step)
    threads = []
    run_in_thread = queueing.run_in_thread
    monkeypatch.setattr(queueing, "run_in_thread", lambda *a, **k: threads.append(run_in_thread(*a, **k)))

    job = bulk_job_create(user=ngo_member, items=parse_csv(csv_bytes([good_row(n) for n in range(500)])))

    assert BulkJob.objects.get(pk=job.pk).status == BulkJob.State.PENDING  # the request is not held up
    go.set()
    [thread] = threads
    thread.join(timeout=60)
    job.refresh_from_db()
    assert job.status == BulkJob.State.DONE
    assert seen == [200, 400, 500]
    assert Referral.objects.count() == 500


@pytest.mark.django_db
def test_with_the_setting_off_eager_tasks_still_run_inside_the_request(
    ngo_member, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BACKGROUND_IN_PROCESS = False
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_job_create(user=ngo_member, items=parse_csv(csv_bytes([good_row(1)])))
    job.refresh_from_db()
    assert job.status == BulkJob.State.DONE
