from rest_framework import pagination


class KeysetPagination(pagination.CursorPagination):
    """Keyset (cursor) pagination: page 1,000 costs what page 1 costs."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
