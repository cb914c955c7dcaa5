"""The work list's filters (SPEC §15): `kind`, `category`, `language`, `country`, one FilterSet
for the queue page and `GET /api/v1/queues/{slug}/referrals/`, so one query string selects
the same referrals in both.

Codes are checked against their lists (an unknown one is an error on its field: a 400 in the
API, a form error on the page); languages are read in lower case and countries in upper case,
as intake stores them. The filters only narrow the work list's indexed scan, so they add no
query.
"""

from __future__ import annotations

from functools import cache
from html import escape

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.countries import MESSAGE as COUNTRY_MESSAGE
from referrals.models import Category, Kind, Referral
from referrals.services.codes import LANGUAGES
from referrals.services.labels import language_name

LANGUAGE_MESSAGE = _("Use a two-letter ISO 639-1 language code, e.g. “en” or “ar”.")

# How each code is written where it is stored.
NORMALISE = {"language": str.lower, "country": str.upper}


# The choices are functions, so each form reads the names in the reader's language (and the
# schema generator, which builds the filters' fields once, keeps no list in the wrong one);
# each language's list is made once per process.
def language_choices() -> list[tuple[str, str]]:
    """ISO 639-1 languages by their names in the active language (the code where Django
    names none), sorted by what people read."""
    return list(_languages_in(get_language()))


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166-1 countries by their names in the active language, sorted by them."""
    return list(_countries_in(get_language()))


@cache
def _languages_in(active: str | None) -> tuple[tuple[str, str], ...]:
    named = [(code, language_name(code)) for code in LANGUAGES]
    return tuple(sorted(named, key=lambda choice: (choice[1].casefold(), choice[0])))


@cache
def _countries_in(active: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((code, str(name)) for code, name in countries)


class PlainSelect(forms.Select):
    """A select whose options are written out directly: the language and country lists have
    hundreds, which Django's per-option templates take tens of milliseconds to render on every work list."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(str(code))}"{" selected" * (str(code) in chosen)}>{escape(str(label))}</option>'
            for code, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attributes}>{options}</select>')  # noqa: S308 (all escaped)


class WorklistFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"), empty_label=_("Any category"))
    language = django_filters.ChoiceFilter(
        choices=language_choices,
        label=_("Language"),
        empty_label=_("Any language"),
        widget=PlainSelect,
        error_messages={"invalid_choice": LANGUAGE_MESSAGE},
    )
    country = django_filters.ChoiceFilter(
        choices=country_choices,
        label=_("Country"),
        empty_label=_("Any country"),
        widget=PlainSelect,
        error_messages={"invalid_choice": COUNTRY_MESSAGE},
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        if data is not None:
            data = data.copy()
            for name, normalise in NORMALISE.items():
                if isinstance(data.get(name), str):
                    data[name] = normalise(data[name].strip())
        super().__init__(data, queryset, request=request, **kwargs)

    @property
    def applied(self) -> dict[str, str]:
        """The filters in force (valid and not empty), for the audit entry and the page's links."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.form.cleaned_data.items() if value}
