"""Template filters every app's pages use."""

from django import template

from portal.countries import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """`{{ org.country|country_name }}`: "France", "فرنسا", never the bare code."""
    return _country_name(code)
