"""Blurred previews of image evidence (SPEC §15, wellbeing): made on the server, greyscale,
blurred, without the original's metadata, cached privately, served like the download."""

import io
from statistics import pvariance

import pytest
from django.conf import settings
from PIL import Image

from portal.models import AuditEvent
from referrals.intake.services.evidence import evidence_path, evidence_purge_expired, preview_path
from referrals.models import ExposureDay
from referrals.review.services import previews
from tests.referrals.workbench.wellbeing_files import SECRET, jpeg_with_exif, png_with_text, referral_with_media

pytestmark = pytest.mark.django_db


def preview_url(referral, row) -> str:
    return f"/referrals/{referral.reference}/evidence/{row.id}/preview/"


def served(response) -> bytes:
    return b"".join(response.streaming_content)


def greys(image: Image.Image) -> list[int]:
    return list(image.convert("L").tobytes())


@pytest.fixture
def media(ngo_member):
    return referral_with_media(ngo_member)


# --- What a preview is -------------------------------------------------------------------------


def test_the_preview_is_not_the_original_and_carries_no_exif_or_icc(client_for, reviewer, media):
    referral, rows = media
    original = evidence_path(rows["photo.jpg"].stored_name).read_bytes()
    assert Image.open(io.BytesIO(original)).getexif()  # the test image does carry EXIF
    assert SECRET.encode() in original

    response = client_for(reviewer).get(preview_url(referral, rows["photo.jpg"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    data = served(response)
    assert data != original
    assert SECRET.encode() not in data
    preview = Image.open(io.BytesIO(data))
    assert preview.format == "JPEG"
    assert not preview.getexif()
    assert "exif" not in preview.info
    assert "icc_profile" not in preview.info
    assert b"Exif\x00\x00" not in data and b"ICC_PROFILE" not in data


def test_the_preview_is_greyscale_downscaled_and_blurred(client_for, reviewer, media):
    referral, rows = media

    data = served(client_for(reviewer).get(preview_url(referral, rows["photo.jpg"])))

    preview = Image.open(io.BytesIO(data))
    assert preview.mode == "L"
    rgb = preview.convert("RGB").tobytes()
    assert rgb[0::3] == rgb[1::3] == rgb[2::3]
    assert max(preview.size) <= 480
    # A red and white checkerboard, in grey at the same size, varies wildly from pixel to
    # pixel; under the blur it is close to one flat grey.
    sharp = Image.open(io.BytesIO(jpeg_with_exif())).convert("L").resize(preview.size)
    assert pvariance(greys(sharp)) > 1000
    assert pvariance(greys(preview)) < pvariance(greys(sharp)) / 50


def test_a_png_preview_drops_its_text_chunks(client_for, reviewer, media):
    referral, rows = media
    assert Image.open(io.BytesIO(png_with_text())).info["Comment"] == SECRET

    data = served(client_for(reviewer).get(preview_url(referral, rows["screenshot.png"])))

    preview = Image.open(io.BytesIO(data))
    assert SECRET.encode() not in data
    assert "Comment" not in preview.info and preview.mode == "L"


def test_the_preview_is_cached_under_the_private_evidence_root(client_for, reviewer, media, monkeypatch):
    referral, rows = media
    row = rows["photo.jpg"]
    client = client_for(reviewer)
    first = served(client.get(preview_url(referral, row)))
    cached = preview_path(row.id)
    assert cached.is_file() and cached.read_bytes() == first
    assert cached.is_relative_to(settings.PORTAL_EVIDENCE_ROOT)
    assert oct(cached.stat().st_mode & 0o777) == "0o600"

    def no_second_rendering(source):
        raise AssertionError("the cached preview was made again")

    monkeypatch.setattr(previews, "blurred", no_second_rendering)
    assert served(client.get(preview_url(referral, row))) == first


def test_an_unreadable_image_gets_a_plain_grey_preview(client_for, reviewer, media):
    referral, rows = media
    row = rows["photo.jpg"]
    evidence_path(row.stored_name).write_bytes(b"\xff\xd8\xff" + b"broken" * 100)

    response = client_for(reviewer).get(preview_url(referral, row))

    assert response.status_code == 200
    preview = Image.open(io.BytesIO(served(response)))
    assert set(greys(preview)) <= {127, 128, 129}


def test_looking_at_previews_is_not_counted_as_exposure(client_for, reviewer, media):
    referral, rows = media
    client_for(reviewer).get(preview_url(referral, rows["photo.jpg"]))
    assert not ExposureDay.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["evidence.download", "evidence.reveal"]).exists()


# --- Who may fetch it, and how it is served ------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, media):
    referral, rows = media
    response = client.get(preview_url(referral, rows["photo.jpg"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_organisation_gets_404(client_for, other_ngo_member, media):
    referral, rows = media
    assert client_for(other_ngo_member).get(preview_url(referral, rows["photo.jpg"])).status_code == 404
    assert not preview_path(rows["photo.jpg"].id).exists()


def test_the_submitting_organisation_may_fetch_it_like_the_download(client_for, ngo_member, media):
    referral, rows = media
    assert client_for(ngo_member).get(preview_url(referral, rows["photo.jpg"])).status_code == 200


def test_the_preview_is_never_cached_nor_sniffed(client_for, reviewer, media):
    referral, rows = media
    response = client_for(reviewer).get(preview_url(referral, rows["photo.jpg"]))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert "attachment" not in response.get("Content-Disposition", "")


def test_files_that_are_not_images_have_no_preview(client_for, reviewer, media):
    referral, rows = media
    assert client_for(reviewer).get(preview_url(referral, rows["manifesto.pdf"])).status_code == 404


def test_an_evidence_id_of_another_referral_is_404(client_for, reviewer, ngo_member, media):
    _, rows = media
    other, _others = referral_with_media(ngo_member)
    assert client_for(reviewer).get(preview_url(other, rows["photo.jpg"])).status_code == 404


def test_past_retention_the_preview_is_gone_with_the_file(client_for, reviewer, media):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.models import Referral

    referral, rows = media
    row = rows["photo.jpg"]
    client = client_for(reviewer)
    client.get(preview_url(referral, row))
    assert preview_path(row.id).exists()
    long_ago = timezone.now() - timedelta(days=settings.PORTAL_EVIDENCE_RETENTION_DAYS + 1)
    Referral.objects.filter(pk=referral.pk).update(status="withdrawn", closed_at=long_ago)

    evidence_purge_expired()

    assert not preview_path(row.id).exists()
    assert client.get(preview_url(referral, row)).status_code == 410


# --- The referral page ---------------------------------------------------------------------------


def test_reviewers_see_blurred_previews_and_no_media_plays_inline(client_for, reviewer, media):
    referral, rows = media

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()

    assert preview_url(referral, rows["photo.jpg"]) in page
    assert preview_url(referral, rows["screenshot.png"]) in page
    assert f"/evidence/{rows['photo.jpg'].id}/reveal/" in page
    assert f"/evidence/{rows['photo.jpg'].id}/original/" not in page
    assert f"/evidence/{rows['manifesto.pdf'].id}/preview/" not in page
    assert f"/evidence/{rows['manifesto.pdf'].id}/reveal/" not in page
    for inline in ("<video", "<iframe", "<embed", "<object", "autoplay"):
        assert inline not in page


def test_partners_keep_the_plain_links_to_their_own_files(client_for, ngo_member, media):
    referral, rows = media

    page = client_for(ngo_member).get(f"/referrals/{referral.reference}/").content.decode()

    assert f"/referrals/{referral.reference}/evidence/{rows['photo.jpg'].id}/" in page
    assert "/preview/" not in page and "/reveal/" not in page
