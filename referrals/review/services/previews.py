"""Blurred previews of image evidence (SPEC §15): what a reviewer sees before choosing to
reveal the original.

A preview is made on the server with Pillow: the first frame, turned upright, in greyscale,
at most 480 pixels a side, under a strong Gaussian blur, written as a new JPEG from the
pixels alone, so nothing of the original's metadata (EXIF, GPS, ICC profile, comments, text
chunks) reaches it. It is cached under the private evidence root and served only through a
view that checks access like the evidence download. An image Pillow cannot read (damaged,
or too large to decode safely) gets a plain grey preview instead.
"""

from __future__ import annotations

import io
import logging
import os
import uuid
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps

from referrals.intake.services.evidence import evidence_path, preview_path
from referrals.models import Evidence
from referrals.review.services.exposure import PREVIEWABLE

logger = logging.getLogger(__name__)

MAX_SIDE = 480
# Decoding more pixels than this costs too much memory for a preview (a 25 MB PNG of one
# colour can claim 20,000 × 20,000 pixels); such an image gets the plain preview.
MAX_PIXELS = 40_000_000
QUALITY = 70
# Only the decoders of the accepted image types: Pillow never guesses at other formats.
FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
PLACEHOLDER_SIZE = (MAX_SIDE, MAX_SIDE * 2 // 3)
PLACEHOLDER_GREY = 128


def is_previewable(evidence: Evidence) -> bool:
    return evidence.content_type in PREVIEWABLE


def blurred(source) -> Image.Image:
    """A blurred, greyscale copy of the image in `source` (a path or a file), as a new image
    that carries pixels only. Raises OSError (and Pillow's errors) when it cannot be read."""
    with Image.open(source, formats=FORMATS) as image:
        if image.width * image.height > MAX_PIXELS:
            raise Image.DecompressionBombError(f"{image.width}×{image.height} pixels")
        # A JPEG decodes straight at a fraction of its size; other formats ignore this.
        image.draft("L", (MAX_SIDE * 2, MAX_SIDE * 2))
        image.seek(0)
        try:
            upright = ImageOps.exif_transpose(image)
        except Exception:  # a damaged EXIF block: keep the image as stored
            upright = image
        grey = upright.convert("L")
    grey.thumbnail((MAX_SIDE, MAX_SIDE))
    radius = max(8, max(grey.size) // 20)
    grey = grey.filter(ImageFilter.GaussianBlur(radius))
    # A fresh image from the raw pixels: no `info` (EXIF, ICC, text chunks) can follow.
    return Image.frombytes("L", grey.size, grey.tobytes())


def placeholder() -> Image.Image:
    return Image.new("L", PLACEHOLDER_SIZE, PLACEHOLDER_GREY)


def encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def evidence_preview(*, evidence: Evidence) -> Path:
    """The path of the cached preview of an image, made first when missing.

    Written to a temporary name and renamed into place, so two requests making the same
    preview at once never serve half a file. Raises FileNotFoundError when the original is
    gone (deleted under the retention policy)."""
    target = preview_path(evidence.pk)
    if target.exists():
        return target
    if evidence.file_deleted_at is not None:
        raise FileNotFoundError(evidence.stored_name)
    source = evidence_path(evidence.stored_name)
    if not source.exists():
        raise FileNotFoundError(evidence.stored_name)
    try:
        image = blurred(source)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        logger.warning("No blurred preview of evidence %s: %s", evidence.pk, exc)
        image = placeholder()
    data = encode(image)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def evidence_original_open(*, evidence: Evidence):
    """The original of an image a reviewer revealed, for showing in the page; the reveal was
    audited and counted (`exposure.evidence_reveal`). FileNotFoundError when it is gone."""
    if evidence.file_deleted_at is not None:
        raise FileNotFoundError(evidence.stored_name)
    return evidence_path(evidence.stored_name).open("rb")
