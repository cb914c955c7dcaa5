"""Addresses made from names: the one rule for organisations, campaigns and events."""

from __future__ import annotations

from django.db.models import Model
from django.utils.text import slugify

# The slug fields are 80 long: room for the base and a "-n" suffix.
BASE_LENGTH = 70


def unique_slug(name: str, *, model: type[Model], fallback: str, reserved: frozenset[str] = frozenset()) -> str:
    """A slug for `name` that no `model` row has yet: the slugified name (or `fallback` when
    nothing of it is left), `-<fallback>` added to a reserved word, then `-2`, `-3`, … until free."""
    base = slugify(name)[:BASE_LENGTH].strip("-") or fallback
    if base in reserved:
        base = f"{base}-{fallback}"
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
