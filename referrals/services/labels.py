"""What people read for codes that have no TextChoices label: languages, countries, and the
text `referrals.engine` writes (labels of legal grounds and of reasons for not complying,
messages about targets). Pages show these; the API keeps the codes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import lazy
from django.utils.translation import get_language_info, gettext
from django_countries import countries

from referrals.engine.text import Text


def engine_text(text: str) -> str:
    """A text of `referrals.engine`, in the active language.

    The engine is pure Python without Django: it marks its strings with its own no-op
    `gettext_noop`, and a message with values is a `Text` that keeps its id and values.
    """
    if isinstance(text, Text):
        return gettext(text.msgid) % text.values if text.values else gettext(text.msgid)
    return gettext(text) if text else text  # gettext("") would be the catalogue's header


# For labels kept at module level (form choices): looked up when shown.
engine_text_lazy = lazy(engine_text, str)


def language_name(code: str) -> str:
    """The name of an ISO 639-1 language in the active language; the code where Django does
    not know the language."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def country_name(code: str) -> str:
    """The name of an ISO 3166-1 country in the active language; the code where unknown."""
    return str(countries.name(code)) or code


def country_names(codes: Iterable[str]) -> list[str]:
    return [country_name(code) for code in codes]
