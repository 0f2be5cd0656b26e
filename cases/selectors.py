"""Reads of the case loop: queues, lists, the case page, duplicates and the map. All start from the gate."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from grids.models import Place
from wudu import scope
from wudu.pages import keyset_page

from .models import AT_DEPARTMENT, FINISHED, OPEN, Alert, Case, CaseEvent, Status

PAGE_SIZE = 30
DUPLICATE_DAYS = 7
DUPLICATE_METRES = 200

# The command center's queues: what is waiting for it, and what it must chase.
CENTER_QUEUES: dict[str, Q] = {
    "new": Q(status=Status.REPORTED),
    "dispatch": Q(status=Status.FILED),
    "returned": Q(status=Status.RETURNED),
    "extension": Q(status=Status.EXTENSION),
    "verify": Q(status=Status.FED_BACK),
    "due_soon": Q(alert=Alert.DUE_SOON, status__in=AT_DEPARTMENT),
    "overdue": Q(alert=Alert.OVERDUE, status__in=AT_DEPARTMENT),
    "suspended": Q(status=Status.SUSPENDED),
    "supervised": Q(supervised=True) & ~Q(status__in=FINISHED),
}
# A department's tabs: to sign, in hand, parked, and what it has finished.
DEPARTMENT_QUEUES: dict[str, Q] = {
    "sign": Q(status=Status.DISPATCHED),
    "handling": Q(status__in=[Status.HANDLING, Status.EXTENSION]),
    "overdue": Q(alert=Alert.OVERDUE, status__in=AT_DEPARTMENT),
    "suspended": Q(status=Status.SUSPENDED),
    "done": Q(status__in=[Status.FED_BACK, Status.AWAITING_EVALUATION, Status.CLOSED]),
}
ROW_RELATED = ("category", "grid__parent", "department")


# Queues counted on the tabs: those of open cases only, so the count reads the open few per cent of a year's
# cases through the status index, not every case ever closed (measured in make bench at 200,000 cases).
UNCOUNTED = {"done"}


def queue_counts(user, queues: dict[str, Q]) -> dict[str, int]:
    """Every open queue's size in one aggregate query (an index-only scan of case_open_queue: it counts a key column)."""
    counted = {name: q for name, q in queues.items() if name not in UNCOUNTED}
    return (Case.objects.visible_to(user).filter(status__in=OPEN)
            .aggregate(**{name: Count("status", filter=q) for name, q in counted.items()}))


def case_page(queryset: QuerySet[Case], after: str = "") -> tuple[list[Case], str]:
    """One page, newest first, and the cursor of the next (keyset on id: page 1,000 costs what page 1 costs)."""
    # Rows never need the grids' polygons (kilobytes of GeoJSON each).
    queryset = queryset.select_related(*ROW_RELATED).defer("grid__boundary", "grid__parent__boundary")
    return keyset_page(queryset, after, size=PAGE_SIZE)


def queue(user, queues: dict[str, Q], name: str) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(queues[name])


@dataclass(frozen=True)
class CaseFilter:
    place_code: str = ""
    status: str = ""
    category_id: int | None = None
    source: str = ""
    reference: str = ""
    open_only: bool = False


def case_list(user, f: CaseFilter) -> QuerySet[Case]:
    queryset = Case.objects.visible_to(user)
    if f.reference:
        return queryset.filter(reference=f.reference)
    if f.place_code:
        queryset = scope.narrow_to_place(queryset, "case", f.place_code)
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.category_id:
        queryset = queryset.filter(category_id=f.category_id)
    if f.source:
        queryset = queryset.filter(source=f.source)
    if f.open_only:
        queryset = queryset.exclude(status__in=FINISHED)
    return queryset


def access_case(user, reference: str) -> Case:
    """The case a step is taken on (its category loaded), or 404: missing and not visible look the same."""
    return scope.access(Case.objects.select_related("category"), user, reference=reference)


def access_case_with_timeline(user, reference: str) -> Case:
    """The case with its timeline (events, their photos) for its page, or 404 (missing and not visible alike)."""
    events = CaseEvent.objects.select_related("actor", "department").prefetch_related("photos").order_by("id")
    # The grid's community and street come in one small query of their own: joined as well, eight relations cost
    # PostgreSQL 2.9 ms of planning for a 0.3 ms query (make bench). No polygons: the page draws no map.
    parents = Place.objects.select_related("parent").defer("boundary", "parent__boundary")
    cases = (
        Case.objects.select_related("category", "grid", "building", "department", "reporter", "evaluated_by")
        .defer("grid__boundary", "building__boundary")
        .prefetch_related(Prefetch("grid__parent", queryset=parents), Prefetch("events", queryset=events))
    )
    return scope.access(cases, user, reference=reference)


def time_left(case: Case, now: datetime.datetime | None = None) -> datetime.timedelta | None:
    if case.deadline is None or case.status not in AT_DEPARTMENT:
        return None
    return case.deadline - (now or timezone.now())


def likely_duplicates(user, case: Case) -> list[Case]:
    """Cases the command center should look at before filing this one: same grid and category within 7 days,
    or within 200 m within 7 days (bounding box in the database, exact distance here on the few candidates)."""
    window = (case.created_at - datetime.timedelta(days=DUPLICATE_DAYS),
              case.created_at + datetime.timedelta(days=DUPLICATE_DAYS))
    near = Q(grid_id=case.grid_id, category_id=case.category_id)
    if case.lat is not None and case.lng is not None:
        dlat = DUPLICATE_METRES / 111_320
        dlng = DUPLICATE_METRES / (111_320 * math.cos(math.radians(case.lat)))
        near |= Q(lat__range=(case.lat - dlat, case.lat + dlat), lng__range=(case.lng - dlng, case.lng + dlng))
    candidates = (
        Case.objects.visible_to(user).filter(near, created_at__range=window)
        .exclude(pk=case.pk).exclude(status=Status.CANCELLED)
        .select_related("category", "grid").order_by("-id")[:20]
    )
    out = []
    for other in candidates:
        same_kind = other.grid_id == case.grid_id and other.category_id == case.category_id
        if same_kind or metres_between(case, other) <= DUPLICATE_METRES:
            out.append(other)
    return out[:10]


def metres_between(a: Case, b: Case) -> float:
    if None in (a.lat, a.lng, b.lat, b.lng):
        return math.inf
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlng = lat2 - lat1, math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def open_cases_geojson(user, limit: int = 2000) -> dict:
    """Open cases with a point, for the command center's map (newest first, capped)."""
    rows = (
        Case.objects.visible_to(user).exclude(status__in=FINISHED).filter(lat__isnull=False, lng__isnull=False)
        .order_by("-id").values("reference", "status", "alert", "supervised", "lat", "lng", "category__name")[:limit]
    )
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
         "properties": {"reference": r["reference"], "status": str(Status(r["status"]).label),
                        "alert": r["alert"], "supervised": r["supervised"], "category": r["category__name"]}}
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features}
