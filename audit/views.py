"""The audit administrator's pages (/audit/): access events, row history, the day seals. Read-only; anyone
without the audit duty gets the same 404 as a page that does not exist."""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wudu.duties import Duty, has_duty
from wudu.pages import Keyset, keyset_page, page_query

from . import selectors
from .chain import day_bounds
from .forms import AccessSearchForm, RowSearchForm

PAGE_SIZE = 50


def audit_duty(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_duty(request.user, Duty.AUDIT):
            raise Http404
        return view(request, *args, **kwargs)

    return require_GET(wrapped)


def _newest_first(time_field: str, pk_field: str) -> Keyset:
    def seek(queryset, after: str):
        at, _sep, pk = after.rpartition("_")
        try:
            at = datetime.datetime.fromisoformat(at)
        except ValueError:
            return queryset
        if not pk.isdigit():
            return queryset
        return queryset.filter(Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, f"{pk_field}__lt": int(pk)}))

    return Keyset(order=(f"-{time_field}", f"-{pk_field}"), seek=seek,
                  cursor=lambda row: f"{getattr(row, time_field).isoformat()}_{getattr(row, pk_field)}")


ACCESS_ORDER = _newest_first("at", "pk")
ROW_ORDER = _newest_first("pgh_created_at", "pgh_id")


def _range(data) -> dict:
    start = day_bounds(data["start"])[0] if data.get("start") else None
    end = day_bounds(data["end"])[1] if data.get("end") else None
    return {"start": start, "end": end}


def _user_id(username: str) -> int | None:
    return get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()


@audit_duty
def access_list(request):
    form = AccessSearchForm(request.GET or None)
    rows, after = [], ""
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        events = selectors.access_events(username=data.get("person", ""), kind=data.get("kind", ""),
                                         target=data.get("target", ""), **_range(data))
        rows, after = keyset_page(events, request.GET.get("after", ""), size=PAGE_SIZE, keyset=ACCESS_ORDER)
    return render(request, "audit/access_list.html", {"form": form, "rows": rows, "next": after,
                                                      "query": page_query(request)})


@audit_duty
def row_list(request):
    form = RowSearchForm(request.GET or None)
    rows, after, table = [], "", ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        table = data["table"]
        user_id = _user_id(data["person"]) if data["person"] else None
        if data["person"] and user_id is None:
            user_id = -1  # an unknown account changed nothing
        events = selectors.row_events(table, user_id=user_id, obj_id=data["obj"], label=data["label"],
                                      **_range(data))
        rows, after = keyset_page(events, request.GET.get("after", ""), size=PAGE_SIZE, keyset=ROW_ORDER)
    return render(request, "audit/row_list.html", {"form": form, "rows": [_row(r) for r in rows], "next": after,
                                                   "query": page_query(request), "table": table})


def _row(event) -> dict:
    meta = {"pgh_id", "pgh_created_at", "pgh_label", "pgh_obj", "pgh_context", "pgh_context_id"}
    snapshot = {f.name: getattr(event, f.attname) for f in event._meta.concrete_fields if f.name not in meta}
    return {"event": event, "context": event.pgh_context or {}, "snapshot": snapshot,
            "at": timezone.localtime(event.pgh_created_at)}


@audit_duty
def seal_list(request):
    rows, after = keyset_page(selectors.seals(), request.GET.get("after", ""), size=PAGE_SIZE,
                              keyset=Keyset(order=("-date",),
                                            seek=lambda qs, a: _seal_seek(qs, a),
                                            cursor=lambda row: row.date.isoformat()))
    return render(request, "audit/seal_list.html", {"rows": rows, "next": after, "query": page_query(request)})


def _seal_seek(queryset, after: str):
    try:
        return queryset.filter(date__lt=datetime.date.fromisoformat(after))
    except ValueError:
        return queryset
