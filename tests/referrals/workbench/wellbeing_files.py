"""Images with metadata for the wellbeing tests (SPEC §15), made with Pillow, and a referral
filed with them."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from referrals.intake.services.evidence import evidence_inspect_all
from tests.referrals.evidence_files import pdf_bytes, upload
from tests.referrals.factories import make_referral

SECRET = "Secret-Camera-GPS-51.5N"


def checkerboard(width: int = 640, height: int = 480, square: int = 8) -> Image.Image:
    """Red and white squares: as far from a smooth, grey picture as an image gets."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for top in range(0, height, square):
        for left in range((top // square) % 2 * square, width, square * 2):
            draw.rectangle([left, top, left + square - 1, top + square - 1], fill=(220, 20, 20))
    return image


def _icc_profile() -> bytes:
    try:
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    except Exception:  # Pillow built without LittleCMS: any bytes make an ICC segment
        return b"\x00" * 128


def jpeg_with_exif(width: int = 640, height: int = 480) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x010E] = "taken at the safe house"  # ImageDescription
    out = io.BytesIO()
    checkerboard(width, height).save(out, format="JPEG", quality=95, exif=exif.tobytes(), icc_profile=_icc_profile())
    return out.getvalue()


def png_with_text(width: int = 300, height: int = 200) -> bytes:
    info = PngInfo()
    info.add_text("Comment", SECRET)
    out = io.BytesIO()
    checkerboard(width, height).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def referral_with_media(user):
    """A referral filed by `user` with a JPEG (EXIF, ICC), a PNG (text chunk) and a PDF."""
    files = evidence_inspect_all(
        [
            upload("photo.jpg", jpeg_with_exif()),
            upload("screenshot.png", png_with_text()),
            upload("manifesto.pdf", pdf_bytes()),
        ]
    )
    referral = make_referral(user, evidence=files)
    rows = {row.original_name: row for row in referral.evidence.all()}
    return referral, rows
