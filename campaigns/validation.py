"""Checks and normalisation of campaign input shared by the forms, the API and the CSV import.

Each function takes raw input and returns the clean value or raises Django's ValidationError,
so forms and serializers report it on the field it belongs to.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.countries import is_country_code
from portal.text import text_problem
from referrals.models import Category

LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
HASHTAG_RE = re.compile(r"^\w{1,100}$")
MAX_LIST_ITEMS = 30
MAX_CHANNEL_LENGTH = 40


def split_list(value) -> list[str]:
    """Accept a list or a comma-separated string; return stripped, non-empty, de-duplicated items."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise ValidationError(_("Give a list of values."))
    seen: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError(_("Each value must be text."))
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    if len(seen) > MAX_LIST_ITEMS:
        raise ValidationError(
            ngettext("Give at most %(count)d value.", "Give at most %(count)d values.", MAX_LIST_ITEMS)
            % {"count": MAX_LIST_ITEMS}
        )
    return seen


def clean_channel(value: str) -> str:
    value = (value or "").strip().lower()
    if not value:
        raise ValidationError(_("Name the channel, e.g. instagram."))
    if len(value) > MAX_CHANNEL_LENGTH:
        raise ValidationError(
            ngettext(
                "A channel name has at most %(count)d character.",
                "A channel name has at most %(count)d characters.",
                MAX_CHANNEL_LENGTH,
            )
            % {"count": MAX_CHANNEL_LENGTH}
        )
    return value


def clean_channels(value) -> list[str]:
    return [clean_channel(v) for v in split_list(value)]


def clean_language(value: str) -> str:
    value = (value or "").strip().lower()
    if not LANGUAGE_RE.match(value):
        raise ValidationError(_("“%(value)s” is not a two-letter ISO 639-1 language code, e.g. en.") % {"value": value})
    return value


def clean_languages(value) -> list[str]:
    return [clean_language(v) for v in split_list(value)]


def clean_countries(value) -> list[str]:
    countries = []
    for item in split_list(value):
        code = item.upper()
        if not is_country_code(code):
            raise ValidationError(_("“%(value)s” is not an ISO 3166-1 country code, e.g. GB.") % {"value": item})
        countries.append(code)
    return countries


def clean_hashtags(value) -> list[str]:
    tags = []
    for item in split_list(value):
        tag = item.lstrip("#")
        if not HASHTAG_RE.match(tag):
            raise ValidationError(
                _("“%(value)s” is not a hashtag: use letters, digits and underscores.") % {"value": item}
            )
        tags.append(tag)
    return tags


def clean_themes(value) -> list[str]:
    themes = split_list(value)
    unknown = [t for t in themes if t not in Category.values]
    if unknown:
        raise ValidationError(
            _("Unknown theme %(themes)s; use referral categories: %(categories)s.")
            % {"themes": ", ".join(unknown), "categories": ", ".join(Category.values)}
        )
    return themes


def clean_published_url(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Give the address where the item was published."))
    if urlsplit(value).scheme.lower() not in ("http", "https"):
        raise ValidationError(_("The address must start with http:// or https://."))
    if text_problem(value):  # the page posts this field raw, past any form field's check
        raise ValidationError(text_problem(value))
    URLValidator(schemes=["http", "https"])(value)
    if len(value) > 500:
        raise ValidationError(_("The address is too long (at most 500 characters)."))
    return value
