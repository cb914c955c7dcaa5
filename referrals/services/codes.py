"""The code list a referral's `language` is checked against (countries: `portal.countries`).

ISO 639-1 lives in core (`portal.languages`): the languages a reviewer reads are checked
against the same list."""

from portal.languages import LANGUAGES

__all__ = ["LANGUAGES"]
