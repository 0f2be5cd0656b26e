"""Keyset pages for the HTML lists: `?after=<cursor>` continues where the page ended, so page 1,000 costs what
page 1 costs (no OFFSET). The API's lists use wudu.pagination.KeysetPagination, the same idea for DRF."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class Keyset:
    """A list's order, and how to continue it: the rows after a cursor, and the cursor a row leaves."""

    order: tuple[str, ...]
    seek: Callable[[QuerySet, str], QuerySet]  # returns the queryset unchanged for a cursor it cannot read
    cursor: Callable[[Any], str]


NEWEST_FIRST = Keyset(
    order=("-pk",),
    seek=lambda queryset, after: queryset.filter(pk__lt=int(after)) if after.isdigit() else queryset,
    cursor=lambda row: str(row.pk),
)


def by_date(field: str, *, newest_first: bool) -> Keyset:
    """A list ordered by a date column, then by id (the index `(field, id)`); the cursor is "<date>_<id>"."""
    before = "lt" if newest_first else "gt"

    def seek(queryset: QuerySet, after: str) -> QuerySet:
        day, _sep, pk = after.partition("_")
        try:
            day = datetime.date.fromisoformat(day)
        except ValueError:
            return queryset
        if not pk.isdigit():
            return queryset
        return queryset.filter(Q(**{f"{field}__{before}": day}) | Q(**{field: day, f"pk__{before}": int(pk)}))

    sign = "-" if newest_first else ""
    return Keyset(order=(f"{sign}{field}", f"{sign}pk"), seek=seek,
                  cursor=lambda row: f"{getattr(row, field).isoformat()}_{row.pk}")


def keyset_page(queryset: QuerySet, after: str, *, size: int, keyset: Keyset = NEWEST_FIRST) -> tuple[list, str]:
    """One page of rows and the cursor of the next ("" at the end), in one query."""
    queryset = queryset.order_by(*keyset.order)
    if after:
        queryset = keyset.seek(queryset, after)
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, keyset.cursor(rows[-1]) if more else ""


def page_query(request) -> str:
    """The list's other parameters (filters, the queue …), carried into the next page's link."""
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()
