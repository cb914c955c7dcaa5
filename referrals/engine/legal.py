"""The legal vocabulary of removal orders (Regulation (EU) 2021/784, "TCO"). Pure: no ORM.

- `GROUNDS`: the five kinds of terrorist content of Art. 2(7), which an order's reasons must
  name (Art. 3(4)(b)). Filed as `legal_grounds`, a list of at least one value.
- `NON_COMPLIANCE_REASONS`: why a hosting provider may be unable to comply (Art. 3(7): force
  majeure or de facto impossibility; Art. 3(8): a manifest error or insufficient information
  in the order). The values are those of `Decision.NonComplianceReason`.
"""

from __future__ import annotations

from collections.abc import Iterable

from referrals.engine.text import Text, gettext_noop

GROUNDS: tuple[tuple[str, str], ...] = (
    ("incitement", gettext_noop("Incites the commission of terrorist offences (Art. 2(7)(a))")),
    (
        "solicitation_to_commit",
        gettext_noop("Solicits a person or group to commit or contribute to terrorist offences (Art. 2(7)(b))"),
    ),
    (
        "solicitation_to_participate",
        gettext_noop("Solicits a person or group to participate in the activities of a terrorist group (Art. 2(7)(c))"),
    ),
    (
        "instruction",
        gettext_noop(
            "Instructs on making or using weapons or hazardous substances for terrorist offences (Art. 2(7)(d))"
        ),
    ),
    ("threat", gettext_noop("Threatens to commit a terrorist offence (Art. 2(7)(e))")),
)
GROUND_VALUES: tuple[str, ...] = tuple(value for value, _ in GROUNDS)
GROUND_LABELS: dict[str, str] = dict(GROUNDS)

NON_COMPLIANCE_REASONS: tuple[tuple[str, str, str], ...] = (
    (
        "force_majeure",
        gettext_noop("Force majeure or de facto impossibility"),
        gettext_noop(
            "The order could not be complied with for reasons of force majeure or de facto impossibility "
            "not attributable to the platform (Art. 3(7))."
        ),
    ),
    (
        "manifest_error",
        gettext_noop("Manifest error in the order"),
        gettext_noop("The order contains a manifest error, so it could not be complied with as issued (Art. 3(8))."),
    ),
    (
        "insufficient_information",
        gettext_noop("Insufficient information"),
        gettext_noop(
            "The order does not contain sufficient information to identify the content or execute it (Art. 3(8))."
        ),
    ),
)
NON_COMPLIANCE_LABELS: dict[str, str] = {value: label for value, label, _ in NON_COMPLIANCE_REASONS}
NON_COMPLIANCE_EXPLANATIONS: dict[str, str] = {value: text for value, _, text in NON_COMPLIANCE_REASONS}

REMOVAL_CLOCK_MINUTES = 60


def split_grounds(value) -> list:
    """Grounds as given: a list from JSON or a form, or text from a CSV cell ("a|b", "a b", "a,b")."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace("|", " ").replace(",", " ").split() if part]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def clean_grounds(value, *, required: bool) -> tuple[list[str], list[str]]:
    """(grounds in the Regulation's order without repeats, error messages)."""
    items = split_grounds(value)
    if not all(isinstance(item, str) for item in items):
        return [], [gettext_noop("Each legal ground must be text.")]
    unknown = [item for item in items if item not in GROUND_LABELS]
    if unknown:
        return [], [
            Text(
                gettext_noop("“%(value)s” is not one of: %(values)s."),
                value=unknown[0],
                values=", ".join(GROUND_VALUES),
            )
        ]
    if not items:
        return [], (
            [gettext_noop("Choose at least one ground of Article 2(7) of Regulation (EU) 2021/784.")]
            if required
            else []
        )
    chosen = set(items)
    return [value for value in GROUND_VALUES if value in chosen], []


def ground_labels(values: Iterable[str]) -> list[str]:
    return [GROUND_LABELS.get(value, value) for value in values]
