"""Bulk filing: JSON items or CSV, validated row by row, created in batches (SPEC §9)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from referrals.intake.services.bulk import CSV_COLUMNS, bulk_job_create, bulk_job_step, parse_csv
from referrals.models import BulkJob, Referral, Subject, TimelineEvent
from tests.referrals.factories import referral_data

BULK = "/api/v1/referrals/bulk/"
EXPLANATION = "Posts recruitment videos for a proscribed group and urges viewers to travel."


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def good_row(n: int) -> dict:
    return {
        "kind": "notice",
        "category": "propaganda",
        "severity": "medium",
        "explanation": EXPLANATION,
        "targets": f"https://x.com/account{n} | https://t.me/channel{n % 50}",
        "language": "en",
        "country": "GB",
        "good_faith_confirmed": "true",
    }


@pytest.mark.django_db
def test_ten_thousand_rows_import_with_visible_progress_and_bad_rows_by_line(ngo_member):
    rows = [good_row(n) for n in range(10_000)]
    bad_lines = {}
    for index, change in [
        (0, {"explanation": "short"}),
        (4_321, {"targets": "ftp://x.com/a"}),
        (9_999, {"kind": "removal_order"}),
    ]:
        rows[index] = {**rows[index], **change}
        bad_lines[index + 2] = next(iter(change))  # the header is line 1
    items = parse_csv(csv_bytes(rows))
    job = bulk_job_create(user=ngo_member, items=items)  # the task waits for commit, which never comes here

    seen = []
    while bulk_job_step(job_id=job.id, batch_size=1_000):
        progress = BulkJob.objects.get(pk=job.id)
        seen.append(progress.processed)
        assert progress.status == "running"
        assert Referral.objects.count() == progress.created

    assert seen == list(range(1_000, 10_000, 1_000))
    job.refresh_from_db()
    assert job.status == "done"
    assert (job.total, job.processed, job.created, job.failed) == (10_000, 10_000, 9_997, 3)
    assert {e["row"] for e in job.errors} == set(bad_lines)
    assert all(bad_lines[e["row"]] in e["errors"] for e in job.errors)
    assert Referral.objects.count() == 9_997
    assert not Referral.objects.filter(targets__account="account0").exists()
    assert Referral.objects.filter(targets__account="account1").count() == 1
    assert Subject.objects.filter(platform="telegram").count() == 50
    assert TimelineEvent.objects.filter(type="received").count() == 9_997


@pytest.mark.django_db
def test_bulk_api_accepts_a_csv_and_reports_the_job(api_for, ngo_member, django_capture_on_commit_callbacks):
    client = api_for(ngo_member)
    data = csv_bytes([good_row(1), {**good_row(2), "country": "XX"}, good_row(3)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {"file": SimpleUploadedFile("r.csv", data, "text/csv")}, format="multipart")
    assert response.status_code == 202
    job = client.get(f"/api/v1/jobs/{response.json()['job']}/").json()
    assert job["status"] == "done"
    assert (job["total"], job["processed"], job["created"], job["failed"]) == (3, 3, 2, 1)
    assert job["errors"] == [{"row": 3, "errors": {"country": [job["errors"][0]["errors"]["country"][0]]}}]
    assert Referral.objects.count() == 2


@pytest.mark.django_db
def test_bulk_api_accepts_json_items_numbered_from_one(api_for, liaison, django_capture_on_commit_callbacks):
    items = [referral_data("le_referral"), referral_data("removal_order", legal_basis=""), referral_data("notice")]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(liaison).post(BULK, {"items": items}, format="json")
    assert response.status_code == 202
    job = BulkJob.objects.get()
    assert job.created == 1
    assert [e["row"] for e in job.errors] == [2, 3]
    assert "legal_basis" in job.errors[0]["errors"]
    assert "kind" in job.errors[1]["errors"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "items"),
        ({"items": "nope"}, "items"),
        ({"items": [{}] * 10_001}, "items"),
        ({}, "items"),
    ],
)
def test_bulk_refuses_malformed_bodies(api_for, ngo_member, body, field):
    response = api_for(ngo_member).post(BULK, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert BulkJob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"kind,category\nnotice,other\n", "lacks the column"),
        (b"kind,category,explanation,targets,colour\n", "Unknown CSV column"),
        (b"kind,category,explanation,targets\n", "no rows"),
        ("kind,category,explanation,targets\n".encode("utf-16"), "UTF-8"),
    ],
)
def test_bulk_refuses_unusable_csv_files(api_for, ngo_member, content, words):
    upload = SimpleUploadedFile("r.csv", content, "text/csv")
    response = api_for(ngo_member).post(BULK, {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert words in response.json()["file"][0]
    assert BulkJob.objects.count() == 0


@pytest.mark.django_db
def test_policy_staff_cannot_bulk_file(api_for, policy):
    # Reviewers and leads bulk-file signals (SPEC §14; tests/referrals/surfacing/test_signal_kind.py).
    response = api_for(policy).post(BULK, {"items": [referral_data()]}, format="json")
    assert response.status_code == 403
    assert BulkJob.objects.count() == 0


@pytest.mark.django_db
def test_jobs_are_visible_to_their_owner_only(api_for, ngo_member, ngo_admin, reviewer):
    response = api_for(ngo_member).post(BULK, {"items": [referral_data()]}, format="json")
    job_id = response.json()["job"]
    assert api_for(ngo_member).get(f"/api/v1/jobs/{job_id}/").status_code == 200
    assert api_for(ngo_admin).get(f"/api/v1/jobs/{job_id}/").status_code == 404
    assert api_for(reviewer).get(f"/api/v1/jobs/{job_id}/").status_code == 404


def test_csv_lines_count_the_header_and_multiline_cells():
    data = csv_bytes(
        [good_row(1), {**good_row(2), "explanation": "First line\nsecond line of the explanation"}, good_row(3)]
    )
    assert [item["row"] for item in parse_csv(data)] == [2, 3, 5]


@pytest.mark.django_db
def test_bulk_page_uploads_and_shows_progress(client_for, ngo_member, django_capture_on_commit_callbacks):
    client = client_for(ngo_member)
    data = csv_bytes([good_row(1), {**good_row(2), "explanation": "short"}])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/referrals/bulk/", {"file": SimpleUploadedFile("r.csv", data, "text/csv")})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-module="bulk-progress"' in html
    assert "<progress" in html and 'aria-live="polite"' in html
    assert "Refused rows" in html and ">3</th>" in html


@pytest.mark.django_db
def test_the_csv_template_is_downloadable_and_valid(client_for, ngo_member):
    response = client_for(ngo_member).get("/referrals/bulk/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    items = parse_csv(response.content)
    assert items[0]["data"]["kind"] == "notice"
