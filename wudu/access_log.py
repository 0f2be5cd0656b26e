"""Where the pages and the API send access events (wudu.signals.record_access): one helper per kind of event, so
that each place that exports, opens a person's record or is refused calls it once.

- `record_export(request, fmt=…, rows=…)`: an export view, after the file is made; the filter is the query's
  parameters, with the values of free-text ones left out (a search could hold a name or a number).
- `record_personal_read(request, "ledger.Household:12")`: a page that opens one person's or household's record
  (the management pages' detail of a resource marked `personal`, a case showing a resident's mobile); the API's
  retrieves record it in `wudu.api.ApiViewSet.retrieve` for viewsets that set `personal_read`.
- Denials: `DenialMiddleware` records a view's `PermissionDenied` (403) and the gate's 404 for a hidden object
  (`scope.HiddenObject`); `wudu.api.exception_handler` does the same for the API (DRF's permission_denied). Only
  the path is kept, never the query string.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .scope import HiddenObject
from .signals import record_access

# Query parameters whose values are kept in an export's recorded filter; any other parameter is recorded by name
# only ("…"), as a free-text search could hold a name, a mobile or an ID number.
FILTER_VALUES = frozenset({
    "date_from", "date_to", "place", "grid", "street", "community", "type", "kind", "visit_type", "status",
    "state", "source", "category", "department", "measure", "unit", "part", "today", "period", "year", "month",
    "quarter", "level", "format", "worker", "settled",
})
_HIDDEN_VALUE = "…"


def query_filter(request, keep=FILTER_VALUES) -> dict:
    """The request's query parameters as a filter to record: values of the known filter keys, names of the rest."""
    out = {}
    for key in request.GET:
        values = request.GET.getlist(key)
        out[key] = (values[0] if len(values) == 1 else values) if key in keep else _HIDDEN_VALUE
    return out


def record_export(request, *, fmt: str, rows: int | None, target: str = "", keep=FILTER_VALUES,
                  params: dict | None = None) -> None:
    """One export: its format, filter and row count (None where the file holds no countable rows). The filter is
    the request's query, or `params` (an export job's parameters, recorded at its download) with the same rule."""
    record_access("export", request=request, target=target,
                  detail={"format": fmt, "filter": query_filter(request, keep) if params is None
                          else params_filter(params, keep), "rows": rows})


def params_filter(params: dict, keep=FILTER_VALUES) -> dict:
    """An export job's parameters as a filter to record: the same rule as `query_filter`."""
    return {key: value if key in keep else _HIDDEN_VALUE for key, value in params.items()
            if not key.startswith("_")}


def record_personal_read(request, target: str) -> None:
    """One record of personal data opened ("app.Model:pk")."""
    record_access("personal_read", request=request, target=target)


def record_denial(request, *, status: int, target: str = "") -> None:
    """The gate refused: 403, or 404 for an object that exists but is hidden. The path only (no query string)."""
    record_access("denied", request=request, target=target,
                  detail={"path": request.path, "method": request.method, "status": status})


class DenialMiddleware:
    """Records the refusals of the HTML pages (the API records its own in `wudu.api.exception_handler`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, HiddenObject):
            record_denial(request, status=404, target=exception.target)
        elif isinstance(exception, PermissionDenied):
            record_denial(request, status=403)
        return None
