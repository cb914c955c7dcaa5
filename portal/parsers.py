"""The API's JSON parser: DRF's, with the text a database cannot store refused at the door.

Refused, each as a 400 that names the top-level field and never echoes the value:

- nesting deeper than MAX_DEPTH (DRF's parser lets a RecursionError through as a 500);
- a lone surrogate (`"\\ud800"`): valid JSON escapes but not Unicode, so it can be neither
  stored nor rendered back in an error message;
- a NUL (`"\\u0000"`), which PostgreSQL can store in neither text nor jsonb columns.

Refusing these for the whole body (keys included) means no field, list or JSON column of
any endpoint sees them, whether or not its serializer checks.
"""

from django.utils.translation import ngettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings

from portal.text import text_problem

MAX_DEPTH = 32


def too_deep_message() -> str:
    return ngettext(
        "JSON parse error - nested too deeply (at most %(depth)d level).",
        "JSON parse error - nested too deeply (at most %(depth)d levels).",
        MAX_DEPTH,
    ) % {"depth": MAX_DEPTH}


def body_problems(data) -> dict[str, list[str]]:
    """`{top-level field: [message]}` for every field holding a refused string, walked without
    recursion; raises ParseError when the body is nested deeper than MAX_DEPTH."""
    problems: dict[str, list[str]] = {}
    top_level = isinstance(data, dict)
    stack = [(value, 1, key) for key, value in data.items()] if top_level else [(data, 0, None)]
    if top_level:
        for key in data:
            if text_problem(key):
                problems.setdefault(api_settings.NON_FIELD_ERRORS_KEY, [text_problem(key)])
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(too_deep_message())
        name = field if field is not None and not text_problem(field) else api_settings.NON_FIELD_ERRORS_KEY
        if isinstance(value, str):
            problem = text_problem(value)
            if problem and name not in problems:
                problems[name] = [problem]
        elif isinstance(value, dict):
            for key, item in value.items():
                if text_problem(key) and name not in problems:
                    problems[name] = [text_problem(key)]
                stack.append((item, depth + 1, field))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
    return problems


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(too_deep_message()) from None
        problems = body_problems(data)
        if problems:
            raise ValidationError(problems)
        return data
