"""Productions (SPEC §17): data the platform delivers to the agency that made a request,
uploaded by the assignee or a lead, typed and limited, stored privately with its SHA-256,
downloaded by the agency (audited, never cached) until PORTAL_PRODUCTION_DAYS, then 410 and
deleted by beat."""

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from partners.models import OrganisationKind, Role
from portal.models import AuditEvent, Notification
from referrals.intake.services.evidence import evidence_path
from referrals.law_enforcement.services.productions import (
    ProductionGone,
    production_add,
    production_open,
    productions_purge_expired,
)
from referrals.models import Production, Referral, TimelineEvent
from referrals.selectors import referral_events
from referrals.tasks import purge_expired_productions
from tests.factories import OrganisationFactory, make_member
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.factories import make_referral
from tests.referrals.review_factories import claimed

CSV = b"account,ip,seen_at\nsomeone,192.0.2.10,2026-05-01T10:00:00Z\n"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("subscriber.csv", CSV)
    return buffer.getvalue()


def url(referral) -> str:
    return f"/api/v1/referrals/{referral.id}/productions/"


def download_url(referral, production) -> str:
    return f"{url(referral)}{production.id}/"


def page_download_url(referral, production) -> str:
    return f"/referrals/{referral.reference}/productions/{production.id}/"


def post(client, referral, name="subscriber.csv", content=CSV):
    return client.post(url(referral), {"file": upload(name, content)}, format="multipart")


def deliver(by, referral, name="subscriber.csv", content=CSV) -> Production:
    return production_add(by=by, referral=referral, upload=upload(name, content))


def aged(production: Production, *, days: float) -> Production:
    """As if it had been uploaded `days` ago."""
    shift = timedelta(days=days)
    Production.objects.filter(pk=production.pk).update(
        uploaded_at=production.uploaded_at - shift, available_until=production.available_until - shift
    )
    production.refresh_from_db()
    return production


def stored_files(settings) -> list:
    root = settings.PORTAL_EVIDENCE_ROOT / "productions"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def request_(liaison, reviewer) -> Referral:
    """A law-enforcement request of the agency, claimed by `reviewer`."""
    return claimed(reviewer, liaison, "le_referral")


@pytest.fixture
def other_liaison(db):
    agency = OrganisationFactory(
        name="Other Police", slug="other-police", kind=OrganisationKind.LAW_ENFORCEMENT, email_domains=["other.test"]
    )
    return make_member(agency, Role.LE_LIAISON)


# --- Upload ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_assignee_delivers_a_file_with_its_size_sha256_and_availability(api_for, request_, reviewer, settings):
    assert Production.objects.count() == 0
    before = timezone.now()
    response = post(api_for(reviewer), request_)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "name", "size", "sha256", "available_until"}
    assert body["name"] == "subscriber.csv"
    assert body["size"] == len(CSV)
    assert body["sha256"] == hashlib.sha256(CSV).hexdigest()
    row = Production.objects.get(id=body["id"])
    assert row.referral == request_
    assert row.uploaded_by == reviewer
    assert row.content_type == "text/csv"
    assert (row.size, row.sha256) == (body["size"], body["sha256"])
    assert row.available_until == row.uploaded_at + timedelta(days=settings.PORTAL_PRODUCTION_DAYS)
    assert row.uploaded_at >= before
    # Private, under a generated name, beside the evidence.
    assert row.stored_name.startswith("productions/") and "subscriber" not in row.stored_name
    assert evidence_path(row.stored_name).read_bytes() == CSV
    assert AuditEvent.objects.filter(action="production.add", object_id=str(row.pk), actor=reviewer).count() == 1


@pytest.mark.django_db
def test_a_lead_delivers_on_a_request_assigned_to_another_reviewer(api_for, request_, lead):
    response = post(api_for(lead), request_)
    assert response.status_code == 201, response.json()
    assert Production.objects.get().uploaded_by == lead


@pytest.mark.django_db
def test_another_reviewer_cannot_deliver(api_for, request_, platform, settings):
    colleague = make_member(platform, Role.REVIEWER)
    response = post(api_for(colleague), request_)
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Production.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_the_requesting_agency_cannot_upload_a_production(api_for, request_, liaison):
    assert post(api_for(liaison), request_).status_code == 403
    assert Production.objects.count() == 0


@pytest.mark.django_db
def test_another_agency_gets_404_for_the_upload(api_for, request_, other_liaison):
    assert post(api_for(other_liaison), request_).status_code == 404
    assert Production.objects.count() == 0


@pytest.mark.django_db
def test_a_referral_that_is_not_a_law_enforcement_request_has_no_productions(api_for, ngo_member, lead):
    notice = make_referral(ngo_member)
    assert post(api_for(lead), notice).status_code == 404
    assert api_for(lead).get(url(notice)).status_code == 404
    with pytest.raises(Exception, match="law-enforcement requests"):
        deliver(lead, notice)
    assert Production.objects.count() == 0


@pytest.mark.django_db
def test_a_withdrawn_request_gets_no_production(api_for, request_, lead):
    Referral.objects.filter(pk=request_.pk).update(status="withdrawn")
    response = post(api_for(lead), request_)
    assert response.status_code == 409
    assert Production.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_cannot_upload(anon_api, request_):
    assert post(anon_api, request_).status_code == 401


# --- Types and size -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("subscriber.csv", lambda: CSV, "text/csv"),
        ("ip_logs.json", lambda: b'{"ip_logs": [{"ip": "192.0.2.10"}]}', "application/json"),
        ("export", lambda: b'[{"account": "someone"}]\n', "application/json"),
        ("content.zip", zip_bytes, "application/zip"),
        ("letter.pdf", pdf_bytes, "application/pdf"),
        ("avatar.png", png_bytes, "image/png"),
        ("notes.txt", lambda: b"Subscriber since 2021.\n", "text/plain"),
    ],
)
def test_csv_json_zip_and_the_evidence_types_are_accepted(api_for, request_, reviewer, name, make, content_type):
    content = make()
    response = post(api_for(reviewer), request_, name, content)
    assert response.status_code == 201, response.json()
    row = Production.objects.get()
    assert row.content_type == content_type
    assert row.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 8, "not an accepted type"),
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not an accepted type"),
        ("data.csv", b"<html><body>not a csv</body></html>", "not an accepted type"),
        ("data.csv", png_bytes(), "named like a CSV file"),
        ("data.json", b"just some words\n", "not JSON"),
        ("empty.csv", b"", "is empty"),
    ],
)
def test_other_files_are_refused_with_a_clear_message(api_for, request_, reviewer, settings, name, content, words):
    response = post(api_for(reviewer), request_, name, content)
    assert response.status_code == 400
    assert words in response.json()["file"][0]
    assert Production.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(api_for, request_, reviewer, settings):
    settings.PORTAL_PRODUCTION_MAX_BYTES = len(CSV)
    assert post(api_for(reviewer), request_, content=CSV + b"x\n").status_code == 400
    assert Production.objects.count() == 0
    assert stored_files(settings) == []
    response = post(api_for(reviewer), request_, content=CSV)
    assert response.status_code == 201
    assert response.json()["size"] == len(CSV)


@pytest.mark.django_db
def test_a_declared_size_that_lies_is_caught_while_streaming(request_, reviewer, settings):
    settings.PORTAL_PRODUCTION_MAX_BYTES = len(CSV)
    lying = upload("subscriber.csv", CSV + b"more,rows,here\n")
    lying.size = len(CSV)
    with pytest.raises(Exception, match="larger than"):
        production_add(by=reviewer, referral=request_, upload=lying)
    assert Production.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_file_larger_than_the_in_memory_upload_limit_streams_through(api_for, request_, reviewer, settings):
    # Django keeps small uploads in memory and writes larger ones to a temporary file; a
    # production past FILE_UPLOAD_MAX_MEMORY_SIZE (and DATA_UPLOAD_MAX_MEMORY_SIZE, which counts
    # no file) is still accepted whole.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    content = CSV + b"someone,192.0.2.10,2026-05-01T10:00:00Z\n" * 5000
    assert len(content) > 3 * settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    response = post(api_for(reviewer), request_, content=content)
    assert response.status_code == 201, response.json()
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert evidence_path(Production.objects.get().stored_name).read_bytes() == content


# --- The agency is told -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_liaisons_are_told_the_data_is_ready(
    request_, reviewer, liaison, agency, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = make_member(agency, Role.LE_LIAISON)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        production = deliver(reviewer, request_)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([liaison.email, colleague.email])
    message = mailoutbox[0]
    assert request_.reference in message.subject
    assert "subscriber.csv" in message.body
    assert f"/referrals/{request_.reference}/" in message.body
    assert f"{timezone.localtime(production.available_until):%-d %b %Y}" in message.body
    assert b"192.0.2.10" not in message.body.encode()  # never the data itself
    assert Notification.objects.filter(user=liaison, subject__contains="data ready to download").count() == 1
    assert not Notification.objects.filter(user=reviewer, subject__contains="data ready").exists()


@pytest.mark.django_db
def test_the_timeline_says_data_was_delivered_without_naming_the_reviewer(request_, reviewer, liaison):
    deliver(reviewer, request_)
    event = TimelineEvent.objects.get(referral=request_, type="production_delivered")
    assert event.message == "Data delivered: subscriber.csv."
    (seen,) = [e for e in referral_events(liaison, request_) if e["type"] == "production_delivered"]
    assert seen["actor"] == "Platform reviewer"
    assert seen["label"] == "Data delivered"


# --- List ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_and_platform_roles_list_the_productions(api_for, request_, reviewer, liaison, policy):
    first = deliver(reviewer, request_)
    second = deliver(reviewer, request_, "logs.json", b'{"a": 1}')
    for user in (liaison, policy, reviewer):
        response = api_for(user).get(url(request_))
        assert response.status_code == 200
        body = response.json()
        assert [p["id"] for p in body] == [str(first.id), str(second.id)]
        assert set(body[0]) == {"id", "name", "size", "sha256", "available_until"}
        assert body[0]["sha256"] == first.sha256


@pytest.mark.django_db
def test_another_agency_and_another_organisations_partner_get_404(
    api_for, request_, reviewer, other_liaison, other_ngo_member
):
    production = deliver(reviewer, request_)
    for outsider in (other_liaison, other_ngo_member):
        assert api_for(outsider).get(url(request_)).status_code == 404
        assert api_for(outsider).get(download_url(request_, production)).status_code == 404
    assert not AuditEvent.objects.filter(action="production.download").exists()


@pytest.mark.django_db
def test_a_production_of_another_request_is_404(api_for, liaison, reviewer, request_):
    other = claimed(reviewer, liaison, "le_referral", accounts=("another",))
    production = deliver(reviewer, other)
    assert api_for(liaison).get(download_url(request_, production)).status_code == 404
    assert api_for(liaison).get(download_url(other, production)).status_code == 200


# --- Download -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_downloads_it_audited_uncached_and_counted(api_for, request_, reviewer, liaison):
    production = deliver(reviewer, request_)
    assert (production.downloads, production.first_downloaded_at) == (0, None)
    client = api_for(liaison)

    response = client.get(download_url(request_, production))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CSV
    assert response["Content-Disposition"].startswith("attachment")
    assert "subscriber.csv" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    production.refresh_from_db()
    assert production.downloads == 1
    first = production.first_downloaded_at
    assert first is not None

    response = client.get(download_url(request_, production))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    production.refresh_from_db()
    assert (production.downloads, production.first_downloaded_at) == (2, first)
    assert (
        AuditEvent.objects.filter(action="production.download", object_id=str(production.pk), actor=liaison).count()
        == 2
    )


@pytest.mark.django_db
def test_a_platform_download_is_audited_but_is_not_the_agencys_receipt(api_for, request_, reviewer):
    production = deliver(reviewer, request_)
    response = api_for(reviewer).get(download_url(request_, production))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    production.refresh_from_db()
    assert (production.downloads, production.first_downloaded_at) == (0, None)
    assert AuditEvent.objects.filter(action="production.download", actor=reviewer).count() == 1


@pytest.mark.django_db
def test_it_downloads_until_the_last_minute_then_answers_410(api_for, request_, reviewer, liaison, settings):
    production = deliver(reviewer, request_)
    client = api_for(liaison)
    days = settings.PORTAL_PRODUCTION_DAYS

    aged(production, days=days - 0.001)
    response = client.get(download_url(request_, production))
    assert response.status_code == 200
    b"".join(response.streaming_content)

    aged(production, days=0.002)  # now past PORTAL_PRODUCTION_DAYS
    response = client.get(download_url(request_, production))
    assert response.status_code == 410
    assert "no longer available" in response.json()["detail"]
    production.refresh_from_db()
    assert production.downloads == 1  # the refused download counts nothing
    assert AuditEvent.objects.filter(action="production.download").count() == 1
    # Still listed, as the record of what was delivered.
    assert [p["id"] for p in client.get(url(request_)).json()] == [str(production.id)]


@pytest.mark.django_db
def test_the_service_refuses_an_expired_or_deleted_production(request_, reviewer, liaison):
    production = aged(deliver(reviewer, request_), days=31)
    with pytest.raises(ProductionGone):
        production_open(by=liaison, production=production)
    fresh = deliver(reviewer, request_)
    Production.objects.filter(pk=fresh.pk).update(file_deleted_at=timezone.now())
    fresh.refresh_from_db()
    with pytest.raises(ProductionGone):
        production_open(by=liaison, production=fresh)


# --- Purge ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_purge_deletes_expired_files_once_and_keeps_the_rows(request_, reviewer, settings):
    expired = aged(deliver(reviewer, request_), days=settings.PORTAL_PRODUCTION_DAYS + 1)
    current = deliver(reviewer, request_, "later.csv")
    now = timezone.now()

    assert productions_purge_expired(now=now) == 1
    assert productions_purge_expired(now=now + timedelta(hours=1)) == 0  # a second run deletes nothing

    expired.refresh_from_db()
    current.refresh_from_db()
    assert expired.file_deleted_at == now
    assert not evidence_path(expired.stored_name).exists()
    assert expired.sha256 == hashlib.sha256(CSV).hexdigest()  # the record stays
    assert current.file_deleted_at is None
    assert evidence_path(current.stored_name).exists()
    assert AuditEvent.objects.filter(action="production.purge", object_id=str(expired.pk)).count() == 1
    assert not AuditEvent.objects.filter(action="production.purge", object_id=str(current.pk)).exists()


@pytest.mark.django_db
def test_a_deleted_production_answers_410(api_for, request_, reviewer, liaison):
    production = aged(deliver(reviewer, request_), days=31)
    assert productions_purge_expired() == 1
    assert api_for(liaison).get(download_url(request_, production)).status_code == 410


@pytest.mark.django_db
def test_the_purge_task_deletes_expired_files(request_, reviewer):
    aged(deliver(reviewer, request_), days=31)
    assert purge_expired_productions.delay().get() == 1
    assert purge_expired_productions.delay().get() == 0


@pytest.mark.django_db
def test_beat_purges_productions_hourly(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["referrals.tasks.purge_expired_productions"] == 3600.0


# --- Pages ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_assignee_uploads_from_the_referral_page(client_for, request_, reviewer):
    client = client_for(reviewer)
    page = client.get(f"/referrals/{request_.reference}/")
    assert page.status_code == 200
    assert b'name="file"' in page.content and b"productions-h" in page.content

    response = client.post(f"/referrals/{request_.reference}/productions/", {"file": upload("subscriber.csv", CSV)})
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{request_.reference}/#productions"
    production = Production.objects.get()
    page = client.get(f"/referrals/{request_.reference}/")
    assert f'dir="ltr">{production.sha256}</code>'.encode() in page.content


@pytest.mark.django_db
def test_a_refused_file_on_the_page_says_why(client_for, request_, reviewer):
    client = client_for(reviewer)
    response = client.post(
        f"/referrals/{request_.reference}/productions/", {"file": upload("page.html", b"<html></html>")}, follow=True
    )
    assert "not an accepted type" in response.content.decode()
    assert Production.objects.count() == 0


@pytest.mark.django_db
def test_another_reviewer_sees_no_upload_form_and_is_refused(client_for, request_, platform):
    colleague = make_member(platform, Role.REVIEWER)
    client = client_for(colleague)
    page = client.get(f"/referrals/{request_.reference}/")
    assert b'id="production-file"' not in page.content
    response = client.post(f"/referrals/{request_.reference}/productions/", {"file": upload("subscriber.csv", CSV)})
    assert response.status_code == 403
    assert Production.objects.count() == 0


@pytest.mark.django_db
def test_the_liaison_downloads_from_the_page_until_it_expires(client_for, request_, reviewer, liaison):
    production = deliver(reviewer, request_)
    client = client_for(liaison)
    page = client.get(f"/referrals/{request_.reference}/")
    assert page_download_url(request_, production).encode() in page.content
    assert b'id="production-file"' not in page.content

    response = client.get(page_download_url(request_, production))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CSV
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="production.download", actor=liaison).count() == 1

    aged(production, days=31)
    response = client.get(page_download_url(request_, production))
    assert response.status_code == 410
    assert "no-store" in response["Cache-Control"]
    assert "no longer available" in response.content.decode()
    page = client.get(f"/referrals/{request_.reference}/")
    assert page_download_url(request_, production).encode() not in page.content
    assert b"expired" in page.content


@pytest.mark.django_db
def test_another_agency_gets_404_for_the_page_download(client_for, request_, reviewer, other_liaison):
    production = deliver(reviewer, request_)
    assert client_for(other_liaison).get(page_download_url(request_, production)).status_code == 404
