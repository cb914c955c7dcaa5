"""Free text: what the database cannot store (refused by the API's parser, the shared
validation of each app and the request guard), and the invisible format characters that are
stripped where free text comes in.

Stripping happens at input, in the shared validation (referral_clean, the services taking
messages, statements and names), rather than by a filter at display: the text is then clean
on every surface at once (pages, API, e-mails, CSV exports, the DSA statement of reasons), and
no new template or serializer can forget it.
"""

import unicodedata

from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError

NUL_MESSAGE = _("Null characters are not allowed.")  # the words of Django's and DRF's own validator
SURROGATE_MESSAGE = _("Not valid Unicode: lone surrogates (\\ud800-\\udfff) are not allowed.")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None: PostgreSQL stores no NUL in text or jsonb, and a
    lone surrogate is not Unicode (it cannot even be encoded to be shown back)."""
    if "\x00" in text:
        return str(NUL_MESSAGE)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return str(SURROGATE_MESSAGE)
    return None


# Format characters (Unicode category Cf) that are kept: they cannot reorder text, and
# Persian, Arabic and Indic writing and emoji sequences need them (ZWNJ, ZWJ, LRM, RLM, ALM).
KEPT_FORMAT_CHARACTERS = frozenset("\u200c\u200d\u200e\u200f\u061c")


def strip_format_characters(text: str) -> str:
    """`text` without the invisible format characters (category Cf) that make text shown to
    reviewers read differently from what it is: bidi overrides, embeddings and isolates
    (U+202A-202E, U+2066-2069), zero-width spaces and joiners of words, the byte-order mark,
    soft hyphens and the tag letters (U+E0000 block) that hide text in plain sight."""
    if text.isascii():
        return text
    return "".join(c for c in text if c in KEPT_FORMAT_CHARACTERS or unicodedata.category(c) != "Cf")


TOO_LONG_MESSAGE = _("Keep this under %(max)s characters.")


def free_text_clean(value, *, field: str, limit: int, empty=None, too_long=TOO_LONG_MESSAGE) -> str:
    """Free text as it is kept: without invisible format characters, trimmed, storable, at
    most `limit` characters, and not empty when an `empty` message is given. Otherwise a
    DomainError on `field`; `too_long` may name `%(max)s` and `%(count)s`."""
    text = strip_format_characters(str(value or "")).strip()
    problem = text_problem(text)
    if problem:
        raise DomainError(problem, field=field)
    if empty is not None and not text:
        raise DomainError(str(empty), field=field)
    if len(text) > limit:
        raise DomainError(str(too_long) % {"max": limit, "count": len(text)}, field=field)
    return text
