"""Evidence files (SPEC §3.4): checked by content, stored privately, downloaded with care."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEvent
from referrals.intake.services.evidence import (
    EvidenceRejected,
    evidence_path,
    evidence_purge_expired,
    safe_display_name,
)
from referrals.models import Evidence, PreservationHold, Referral
from referrals.tasks import purge_expired_evidence
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.factories import make_referral


def evidence_url(referral):
    return f"/api/v1/referrals/{referral.id}/evidence/"


def post_file(client, referral, name, content):
    return client.post(evidence_url(referral), {"file": upload(name, content)}, format="multipart")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [("screenshot.png", png_bytes, "image/png"), ("report.pdf", pdf_bytes, "application/pdf")],
)
def test_real_png_and_pdf_are_accepted_with_their_sha256(api_for, ngo_member, name, make, content_type):
    referral = make_referral(ngo_member)
    content = make()
    response = post_file(api_for(ngo_member), referral, name, content)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["content_type"] == content_type
    assert body["size"] == len(content)
    row = Evidence.objects.get()
    assert row.stored_name != name and name not in row.stored_name
    assert evidence_path(row.stored_name).read_bytes() == content


@pytest.mark.django_db
def test_type_comes_from_content_not_name(api_for, ngo_member):
    referral = make_referral(ngo_member)
    response = post_file(api_for(ngo_member), referral, "notes", b"Plain words about the account.\n")
    assert response.status_code == 201
    assert response.json()["content_type"] == "text/plain"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("cat.png", b"<!doctype html><html><script>alert(1)</script></html>", "not an accepted type"),
        ("cat.png", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not an accepted type"),
        ("cat.png", pdf_bytes(), "named like a PNG image"),
        ("empty.png", b"", "empty"),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(100), "not an accepted type"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(api_for, ngo_member, name, content, words):
    referral = make_referral(ngo_member)
    response = post_file(api_for(ngo_member), referral, name, content)
    assert response.status_code == 400
    assert words in response.json()["file"][0]
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize("name", ["bad\x00name.png", "bad\x1b[31mname.png", "evil\u202egnp.exe", "", "..", " . "])
def test_hostile_names_are_refused_with_a_message(name):
    with pytest.raises(EvidenceRejected) as error:
        safe_display_name(name)
    assert "name" in error.value.message


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("C:\\fakepath\\shot.png", "shot.png"), ("../../etc/passwd", "passwd"), ("a" * 300 + ".png", "a" * 196 + ".png")],
)
def test_display_names_are_made_safe(raw, shown):
    assert safe_display_name(raw) == shown


@pytest.mark.django_db
def test_oversized_file_is_refused_and_nothing_kept(api_for, ngo_member, settings):
    settings.PORTAL_EVIDENCE_MAX_BYTES = 100
    referral = make_referral(ngo_member)
    response = post_file(api_for(ngo_member), referral, "big.png", png_bytes(64, 64))
    assert response.status_code == 400
    assert "at most" in response.json()["file"][0]
    assert Evidence.objects.count() == 0
    root = settings.PORTAL_EVIDENCE_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@pytest.mark.django_db
def test_an_eleventh_file_is_refused(api_for, ngo_member):
    referral = make_referral(ngo_member)
    client = api_for(ngo_member)
    for n in range(10):
        assert post_file(client, referral, f"shot{n}.png", png_bytes(n + 1, 1)).status_code == 201
    response = post_file(client, referral, "shot11.png", png_bytes(20, 1))
    assert response.status_code == 400
    assert "at most 10" in response.json()["file"][0]
    assert Evidence.objects.count() == 10


@pytest.mark.django_db
def test_a_path_in_the_name_is_reduced_to_the_file_name(api_for, ngo_member):
    referral = make_referral(ngo_member)
    response = post_file(api_for(ngo_member), referral, "../../etc/passwd.png", png_bytes())
    assert response.status_code == 201
    assert response.json()["name"] == "passwd.png"
    assert "/" not in Evidence.objects.get().original_name


@pytest.mark.django_db
def test_only_the_submitting_organisation_adds_evidence(api_for, ngo_member, reviewer, other_ngo_member):
    referral = make_referral(ngo_member)
    assert post_file(api_for(reviewer), referral, "a.png", png_bytes()).status_code == 403
    assert post_file(api_for(other_ngo_member), referral, "a.png", png_bytes()).status_code == 404
    assert Evidence.objects.count() == 0


@pytest.mark.django_db
def test_no_evidence_after_a_decision(api_for, ngo_member):
    referral = make_referral(ngo_member)
    Referral.objects.filter(pk=referral.pk).update(status="actioned")
    response = post_file(api_for(ngo_member), referral, "a.png", png_bytes())
    assert response.status_code == 409
    assert Evidence.objects.count() == 0


@pytest.mark.django_db
def test_download_is_an_audited_attachment_with_nosniff(api_for, ngo_member, reviewer):
    referral = make_referral(ngo_member)
    evidence_id = post_file(api_for(ngo_member), referral, "shot.png", png_bytes()).json()["id"]
    response = api_for(reviewer).get(f"{evidence_url(referral)}{evidence_id}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="shot.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()
    entry = AuditEvent.objects.get(action="evidence.download")
    assert entry.actor == reviewer
    assert entry.object_id == evidence_id


@pytest.mark.django_db
def test_page_download_is_audited_too(client_for, ngo_member):
    referral = make_referral(ngo_member)
    from referrals.intake.services.evidence import evidence_inspect_all, evidence_store

    (row,) = evidence_store(
        referral=referral, files=evidence_inspect_all([upload("a.png", png_bytes())]), user=ngo_member
    )
    response = client_for(ngo_member).get(f"/referrals/{referral.reference}/evidence/{row.id}/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="evidence.download", object_id=str(row.id)).count() == 1


@pytest.mark.django_db
def test_evidence_filed_with_the_referral_is_kept_with_it(ngo_member):
    from referrals.intake.services.evidence import evidence_inspect_all

    files = evidence_inspect_all([upload("a.png", png_bytes()), upload("b.pdf", pdf_bytes())])
    referral = make_referral(ngo_member, evidence=files)
    assert sorted(referral.evidence.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]


@pytest.mark.django_db
def test_known_content_is_flagged_to_reviewers_only(api_for, ngo_member, other_ngo_member, reviewer):
    first = make_referral(other_ngo_member)
    post_file(api_for(other_ngo_member), first, "a.png", png_bytes())
    Referral.objects.filter(pk=first.pk).update(status="actioned")
    second = make_referral(ngo_member)
    post_file(api_for(ngo_member), second, "same.png", png_bytes())
    reviewer_view = api_for(reviewer).get(f"/api/v1/referrals/{second.id}/").json()
    assert reviewer_view["evidence"][0]["known_content"] is True
    partner_view = api_for(ngo_member).get(f"/api/v1/referrals/{second.id}/").json()
    assert "known_content" not in partner_view["evidence"][0]


# --- Retention -----------------------------------------------------------------------------------


def _closed_with_file(user, api_for, *, days_ago: int):
    referral = make_referral(user)
    post_file(api_for(user), referral, "a.png", png_bytes())
    Referral.objects.filter(pk=referral.pk).update(
        status="actioned", closed_at=timezone.now() - timedelta(days=days_ago)
    )
    return referral, Evidence.objects.get(referral=referral)


@pytest.mark.django_db
def test_retention_deletes_old_files_and_keeps_hash_and_metadata(api_for, ngo_member, settings):
    settings.PORTAL_EVIDENCE_RETENTION_DAYS = 180
    _, old = _closed_with_file(ngo_member, api_for, days_ago=181)
    _, recent = _closed_with_file(ngo_member, api_for, days_ago=10)
    assert purge_expired_evidence() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.file_deleted_at is not None
    assert old.sha256 == hashlib.sha256(png_bytes()).hexdigest()
    assert not evidence_path(old.stored_name).exists()
    assert recent.file_deleted_at is None
    assert evidence_path(recent.stored_name).exists()
    assert evidence_purge_expired() == 0


@pytest.mark.django_db
def test_retention_spares_subjects_under_a_preservation_hold(api_for, ngo_member):
    referral, evidence = _closed_with_file(ngo_member, api_for, days_ago=400)
    subject = referral.targets.first().subject
    PreservationHold.objects.create(subject=subject, referral=referral, until=timezone.localdate() + timedelta(days=30))
    assert evidence_purge_expired() == 0
    assert evidence_path(evidence.stored_name).exists()


@pytest.mark.django_db
def test_retention_leaves_open_referrals_alone(api_for, ngo_member):
    referral = make_referral(ngo_member)
    post_file(api_for(ngo_member), referral, "a.png", png_bytes())
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=900))
    assert evidence_purge_expired() == 0


@pytest.mark.django_db
def test_a_deleted_file_answers_410(api_for, ngo_member):
    referral, evidence = _closed_with_file(ngo_member, api_for, days_ago=181)
    evidence_purge_expired()
    response = api_for(ngo_member).get(f"{evidence_url(referral)}{evidence.id}/")
    assert response.status_code == 410


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "downloaded_as"),
    [
        ("report.html", png_bytes(), "report.png"),
        ("invoice.pdf.exe", pdf_bytes(), "invoice.pdf.pdf"),
        ("screenshot", png_bytes(), "screenshot.png"),
        ("notes.svg", b"Plain words about the account.\n", "notes.txt"),
        ("shot.PNG", png_bytes(), "shot.PNG"),
        ("shot.png", png_bytes(), "shot.png"),
        ("notes.md", b"Plain words about the account.\n", "notes.md"),
    ],
    ids=["html", "double-extension", "no-extension", "svg", "upper-case", "png", "markdown"],
)
def test_a_download_is_named_with_the_extension_of_its_detected_type(
    api_for, client_for, ngo_member, name, content, downloaded_as
):
    """A PNG uploaded as report.html must not be saved as an HTML file by the browser."""
    referral = make_referral(ngo_member)
    response = post_file(api_for(ngo_member), referral, name, content)
    assert response.status_code == 201, response.json()
    evidence_id = response.json()["id"]
    assert response.json()["name"] == name  # the page and the API still show what was uploaded

    for download in (
        api_for(ngo_member).get(f"{evidence_url(referral)}{evidence_id}/"),
        client_for(ngo_member).get(f"/referrals/{referral.reference}/evidence/{evidence_id}/"),
    ):
        assert download.status_code == 200
        assert f'filename="{downloaded_as}"' in download["Content-Disposition"]
