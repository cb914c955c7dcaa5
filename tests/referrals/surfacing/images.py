"""Images made in the tests with Pillow: a scene, a re-cut, re-compressed and brightened copy
of it (what a re-upload of the same propaganda poster looks like), and unrelated scenes."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from referrals.intake.services.evidence import evidence_inspect


def scene(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """Shapes of random colours over a gradient, softened like a photograph."""
    rng = random.Random(seed)
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(40, width // 2), rng.randrange(40, height // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([x - w // 2, y - h // 2, x + w // 2, y + h // 2], fill=colour)
    return image.filter(ImageFilter.GaussianBlur(2))


def near_copy(image: Image.Image) -> Image.Image:
    """Four pixels cut off each edge, shrunk to 90 %, saved as a JPEG of quality 70, 10 %
    brighter. (PDQ is not made for crops: a cut of 1 % of each edge already moves it by 15 to
    35 bits.)"""
    width, height = image.size
    cut = image.crop((4, 4, width - 4, height - 4))
    cut = cut.resize((cut.width * 9 // 10, cut.height * 9 // 10))
    buffer = io.BytesIO()
    cut.save(buffer, "JPEG", quality=70)
    return ImageEnhance.Brightness(Image.open(io.BytesIO(buffer.getvalue()))).enhance(1.1)


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


def image_upload(image: Image.Image, fmt: str = "PNG", name: str | None = None, **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or f"image.{EXTENSIONS[fmt]}", encoded(image, fmt, **options))


def inspected(image: Image.Image, fmt: str = "PNG", name: str | None = None, **options):
    return evidence_inspect(image_upload(image, fmt, name, **options))
