"""What the DSA Transparency Database accepts, as far as decisions have to fit it (SPEC §22).

Pure Python: the limits and code lists that the decision validation, the intake of targets
and the statement-of-reasons export share, so a decision the portal records is one the
database takes.
"""

from __future__ import annotations

from datetime import date

# The 27 EU countries with Iceland, Liechtenstein and Norway, by ISO 3166-1 code (Greece is
# GR, not the EU's own EL). The database takes no other territorial scope.
EEA_COUNTRIES: tuple[str, ...] = tuple(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK".split()  # noqa: SIM905
)
EEA = frozenset(EEA_COUNTRIES)
EEA_DESCRIPTION = "the 27 EU countries, Iceland (IS), Liechtenstein (LI) and Norway (NO)"

# Every date the database takes is on or before this one; content dates from EARLIEST_CONTENT.
LATEST_DATE = date(2038, 1, 1)
EARLIEST_CONTENT_DATE = date(2000, 1, 1)

EXPLANATION_MAX = 2000  # illegal_content_explanation, incompatible_content_explanation
FACTS_MAX = 5000  # decision_facts
TEXT_MAX = 500  # grounds, content_type_other and the other short texts
ELLIPSIS = "…"


# Codes that are no ISO country but that people write for one; their message says which.
HINTED = frozenset({"EL", "UK"})


def territorial_scope_error(code: str) -> str | None:
    """Why `code` (an upper-case two-letter code) cannot be in a decision's territorial
    scope, or None when it can."""
    if code in EEA:
        return None
    if code == "EL":
        return "Use GR for Greece: the territorial scope takes ISO country codes."
    if code == "UK":
        return "The United Kingdom (GB) is outside the EEA."
    return f"'{code}' is outside the EEA: the territorial scope takes only {EEA_DESCRIPTION}."


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary with an ellipsis when
    it has to be cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ELLIPSIS
