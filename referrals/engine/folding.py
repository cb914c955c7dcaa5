"""Folding handles and display names, and scoring how alike two are (SPEC §14, look-alikes).

Ban evasion rarely reuses a handle as it was: "abu_muhammad_7" comes back as "abu.muhammad8",
"Abu_Muhammad", or with a Cyrillic "а". Folding removes what such variants change — case,
Unicode confusables (transliterated to ASCII by `unidecode`), separators and a trailing
counter — and what is left is compared by trigram similarity.

The similarity is PostgreSQL pg_trgm's `similarity()`, written out so that SQLite, the tests
and PostgreSQL give the same score: each word padded with two spaces before and one after,
its set of three-character pieces, and |shared| / |either|. On PostgreSQL the candidates come
from a GIN trigram index (referrals.surfacing.lookalike); this module scores them.

Pure Python: no Django, nothing of the project.
"""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

_WORD = re.compile(r"[a-z0-9]+")
_SEPARATORS = re.compile(r"[\s._\-·•|/\\]+")
_TRAILING_COUNTER = re.compile(r"[\s._\-]*\d+$")


def _ascii(text: str) -> str:
    # NFKC first, so full-width and stylised letters (𝐚, ａ) become plain ones before the
    # transliteration; then casefold, which also folds ß and the like.
    return unidecode(unicodedata.normalize("NFKC", text)).casefold()


def fold_handle(handle: str) -> str:
    """'@Abu_Muhammad_7' → 'abumuhammad'; a handle of digits only (a numeric id) → ''."""
    text = _ascii(handle.strip().lstrip("@"))
    text = _TRAILING_COUNTER.sub("", text)
    return "".join(_WORD.findall(text))


def fold_name(name: str) -> str:
    """'Abu Muḥammad (Official) 2' → 'abu muhammad official': words of letters and digits, the
    trailing counter dropped."""
    text = _TRAILING_COUNTER.sub("", _SEPARATORS.sub(" ", _ascii(name)).strip())
    return " ".join(_WORD.findall(text))


def fold_words(text: str) -> str:
    """'Le « Manifeste », déjà-vu 2' → 'le manifeste deja vu 2': the words of letters and digits,
    folded like handles, one space apart; for matching a keyword as a whole word or phrase
    (SPEC §18) whatever its case, accents or punctuation."""
    return " ".join(_WORD.findall(_ascii(text)))


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams of `text` (already folded: lower-case ASCII)."""
    grams: set[str] = set()
    for word in _WORD.findall(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity of two folded strings, 0.0 to 1.0; 0.0 when either is empty."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def score(a: str, b: str) -> int:
    """The similarity as a whole percentage, the unit of PORTAL_LOOKALIKE_MIN_SCORE."""
    return round(100 * similarity(a, b))
