"""Every image evidence gets a PDQ hash at upload (SPEC §14); an image that cannot be read is
stored without one; the backfill hashes what came before."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from referrals.intake.services.evidence import evidence_add, evidence_inspect, evidence_path
from referrals.models import Evidence, MediaHash
from referrals.surfacing.services.media import MIN_QUALITY, bits_to_hex, hamming, pdq_compute
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.factories import make_referral
from tests.referrals.surfacing.images import encoded, image_upload, inspected, near_copy, scene

BASE_DIR = Path(__file__).resolve().parents[3]

# --- The hash itself ----------------------------------------------------------------------------


def test_the_bit_vector_becomes_hex_most_significant_bit_first():
    assert bits_to_hex([1] + [0] * 255) == "8" + "0" * 63
    assert bits_to_hex([0] * 255 + [1]) == "0" * 63 + "1"
    assert bits_to_hex([0, 0, 0, 1] * 64) == "1" * 64


def test_a_recut_recompressed_brightened_copy_is_near_and_another_image_is_far():
    original = pdq_compute(io.BytesIO(encoded(scene(3))))
    copy = pdq_compute(io.BytesIO(encoded(near_copy(scene(3)), "JPEG")))
    other = pdq_compute(io.BytesIO(encoded(scene(53))))

    assert original.quality >= MIN_QUALITY and copy.quality >= MIN_QUALITY
    assert hamming(original.hex, copy.hex) <= 16
    assert hamming(original.hex, other.hex) >= 80


@pytest.mark.parametrize(("fmt", "options"), [("PNG", {}), ("JPEG", {"quality": 85}), ("WEBP", {}), ("GIF", {})])
def test_each_image_type_hashes_alike(fmt, options):
    png = pdq_compute(io.BytesIO(encoded(scene(3))))

    other = pdq_compute(io.BytesIO(encoded(scene(3), fmt, **options)))

    assert hamming(png.hex, other.hex) <= 31


def test_an_animation_is_hashed_by_its_first_frame():
    first, second = scene(3), scene(53)
    buffer = io.BytesIO()
    first.save(buffer, "GIF", save_all=True, append_images=[second], duration=100)

    animated = pdq_compute(io.BytesIO(buffer.getvalue()))

    assert hamming(animated.hex, pdq_compute(io.BytesIO(encoded(first, "GIF"))).hex) == 0


def test_a_large_image_is_hashed_at_a_reduced_size_like_its_small_copy():
    large = pdq_compute(io.BytesIO(encoded(scene(3, (3000, 2250)), "JPEG", quality=90)))
    small = pdq_compute(io.BytesIO(encoded(scene(3, (3000, 2250)).resize((800, 600)), "JPEG", quality=90)))

    assert hamming(large.hex, small.hex) <= 16


# --- At upload ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_image_evidence_filed_with_a_referral_is_hashed(ngo_member):
    assert MediaHash.objects.count() == 0

    referral = make_referral(ngo_member, evidence=[inspected(scene(3)), evidence_inspect(upload("a.pdf", pdf_bytes()))])

    image = referral.evidence.get(content_type="image/png")
    stored = MediaHash.objects.get()
    assert stored.evidence == image
    assert stored.pdq == pdq_compute(evidence_path(image.stored_name)).hex
    assert len(stored.pdq) == 64 and stored.quality >= MIN_QUALITY
    assert {f"c{i}": getattr(stored, f"c{i}") for i in range(16)} == MediaHash.chunks_of(stored.pdq)


@pytest.mark.django_db
def test_image_evidence_added_later_is_hashed(ngo_member):
    referral = make_referral(ngo_member)

    (row,) = evidence_add(referral=referral, uploads=[image_upload(scene(3), "JPEG")], user=ngo_member)

    assert MediaHash.objects.filter(evidence=row).exists()


@pytest.mark.django_db
def test_an_unreadable_image_is_stored_without_a_hash(ngo_member, caplog):
    damaged = png_bytes()[:40] + b"\x00" * 200  # the PNG signature, then nothing that decodes

    with caplog.at_level(logging.WARNING, logger="referrals.surfacing.services.media"):
        referral = make_referral(ngo_member, evidence=[evidence_inspect(upload("broken.png", damaged))])

    assert referral.evidence.count() == 1
    assert MediaHash.objects.count() == 0
    assert "No PDQ hash for evidence" in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("side", [40, 100])  # past Pillow's limit (a warning), and past twice it (an error)
def test_an_image_past_the_decompression_bomb_limit_is_stored_without_a_hash(ngo_member, monkeypatch, side):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    referral = make_referral(ngo_member, evidence=[inspected(Image.new("RGB", (side, side), (200, 30, 30)))])

    assert referral.evidence.count() == 1
    assert MediaHash.objects.count() == 0


@pytest.mark.django_db
def test_a_flat_image_is_hashed_with_a_quality_too_low_to_match(ngo_member):
    make_referral(ngo_member, evidence=[evidence_inspect(upload("flat.png", png_bytes()))])

    assert MediaHash.objects.get().quality < MIN_QUALITY


# --- The setting --------------------------------------------------------------------------------


def _start(value: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "PORTAL_NEAR_DUPLICATE_MAX_DISTANCE": value}
    code = "import portal.settings as s; print(s.PORTAL_NEAR_DUPLICATE_MAX_DISTANCE)"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("value", ["0", "31", "63"])
def test_a_distance_from_0_to_63_is_taken(value):
    result = _start(value)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == value


@pytest.mark.parametrize("value", ["64", "-1", "thirty"])
def test_any_other_distance_stops_start_up(value):
    result = _start(value)

    assert result.returncode != 0
    assert "PORTAL_NEAR_DUPLICATE_MAX_DISTANCE" in result.stderr


def test_the_distance_defaults_to_31():
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_NEAR_DUPLICATE_MAX_DISTANCE"}
    env["DJANGO_SECRET_KEY"] = "x" * 50
    code = "import portal.settings as s; print(s.PORTAL_NEAR_DUPLICATE_MAX_DISTANCE)"
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True)

    assert result.stdout.strip() == "31"


# --- The backfill -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_backfill_hashes_images_without_a_hash_once(ngo_member):
    referral = make_referral(ngo_member, evidence=[inspected(scene(3)), inspected(scene(53), "JPEG")])
    make_referral(ngo_member, evidence=[evidence_inspect(upload("a.pdf", pdf_bytes()))])
    MediaHash.objects.all().delete()  # as if stored before hashing existed
    gone = referral.evidence.get(content_type="image/jpeg")
    expected = {e.pk: pdq_compute(evidence_path(e.stored_name)).hex for e in referral.evidence.all()}
    assert MediaHash.objects.count() == 0

    out = io.StringIO()
    call_command("backfill_media_hashes", "--batch-size", "1", stdout=out)

    assert "Hashed 2 image evidence files" in out.getvalue()
    assert dict(MediaHash.objects.values_list("evidence_id", "pdq")) == expected

    out = io.StringIO()
    call_command("backfill_media_hashes", stdout=out)

    assert "Hashed 0 image evidence files" in out.getvalue()
    assert MediaHash.objects.count() == 2
    assert MediaHash.objects.filter(evidence=gone).count() == 1


@pytest.mark.django_db
def test_the_backfill_skips_deleted_files_and_unreadable_images(ngo_member):
    make_referral(ngo_member, evidence=[inspected(scene(3))])
    make_referral(ngo_member, evidence=[evidence_inspect(upload("broken.png", png_bytes()[:40] + b"\x00" * 99))])
    purged = make_referral(ngo_member, evidence=[inspected(scene(53))])
    MediaHash.objects.all().delete()
    Evidence.objects.filter(referral=purged).update(file_deleted_at="2026-01-01T00:00:00Z")
    missing = make_referral(ngo_member, evidence=[inspected(scene(54))]).evidence.get()
    MediaHash.objects.filter(evidence=missing).delete()
    evidence_path(missing.stored_name).unlink()

    out = io.StringIO()
    call_command("backfill_media_hashes", stdout=out)

    assert out.getvalue().strip() == "Hashed 1 image evidence files (1 unreadable, 1 without their file)."
    assert MediaHash.objects.count() == 1
