from rest_framework import pagination


class KeysetPagination(pagination.CursorPagination):
    """Keyset (cursor) pagination: page 1,000 costs what page 1 costs."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["description"] = ("Opaque: the `next` or `previous` link of the page before. One this list "
                                            "did not give answers 404.")
            elif parameter["name"] == self.page_size_query_param:
                parameter["description"] = f"Rows a page (default {self.page_size}, at most {self.max_page_size})."
        return parameters
