"""Country codes: ISO 3166-1 alpha-2 as django-countries lists them (plus XK, see
`COUNTRIES_OVERRIDE` in settings), the one check behind every field that takes a country.

Two letters are not a country ("XX", "UK", "EU" are none); callers upper-case what people type.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

MESSAGE = _("“%(value)s” is not an ISO 3166-1 country code; use two letters such as GB or FR.")


def is_country_code(code) -> bool:
    return isinstance(code, str) and code in countries


def validate_country_code(value) -> None:
    """A Django validator (model and form fields)."""
    if not is_country_code(value):
        # The value goes in through `params`, so that Django fills it in (a "%" in it is no placeholder).
        raise ValidationError(MESSAGE, code="invalid_country", params={"value": value})


def country_name(code: str) -> str:
    """The country's name in the active language; the code itself where it names none."""
    return str(countries.name(code)) or code if code else ""
