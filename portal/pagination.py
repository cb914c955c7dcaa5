from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from rest_framework import pagination
from rest_framework.exceptions import NotFound

# The pages' `?before=` and `?after=` positions are primary keys of a BigAutoField, so a
# larger number is not a position but a malformed address.
KEYSET_MAX = 2**63 - 1


class CursorPagination(pagination.CursorPagination):
    """`{"next", "previous", "results"}` with `page_size` up to 200 (SPEC §9).

    DRF checks a cursor's base64 and offset but hands its position to the database as it is,
    so `p=2026-12-01` on an integer ordering was a 500. Here a position that is not a value
    of the ordering field (an aware datetime for a datetime, an integer in the column's
    range, no NUL) is the same 404 as any other invalid cursor.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not self._position_fits(cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def _position_fits(self, position: str) -> bool:
        if "\x00" in position:
            return False
        model = getattr(self, "_model", None)
        try:
            field = model._meta.get_field(self.ordering[0].lstrip("-")) if model is not None else None
        except FieldDoesNotExist:
            field = None
        if field is None:
            return True
        try:
            value = field.to_python(position)
            field.run_validators(value)
        except (ValidationError, TypeError, ValueError, OverflowError):
            return False
        if isinstance(field, models.DateTimeField):
            # The positions DRF writes are aware; a bare date would be compared as naive.
            return value is not None and timezone.is_aware(value)
        return value is not None


def keyset_position(raw: str | None) -> int | None:
    """A page's `?before=` / `?after=` position, or None when it is not a plain positive
    number that fits the column ("²" is a digit to `str.isdigit` but not to `int`)."""
    if not raw or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if value <= KEYSET_MAX else None
