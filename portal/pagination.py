from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """`{"next", "previous", "results"}` with `page_size` up to 200 (SPEC §9)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
