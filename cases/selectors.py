"""Reads of the case loop: queues, lists, the case page, duplicates and the map. All start from the gate."""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from grids.models import Place
from wudu import scope
from wudu.pages import NEWEST_FIRST, Keyset, keyset_page
from wudu.scope import Role

from . import counters, workflow
from .models import AT_DEPARTMENT, FINISHED, OPEN, Alert, Case, CaseEvent, Notification, Status

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
# The columns a row shows (templates/cases/_rows.html) and the keysets read: not the resident's name and mobile, the
# photos' metadata, the grids' polygons (kilobytes of GeoJSON each) or any other of the case's thirty-odd columns.
ROW_COLUMNS = (
    "reference", "version", "kind", "source", "status", "alert", "supervised", "description", "created_at",
    "deadline", "category__name", "grid__name", "grid__parent__name", "department__name",
)


# Queues counted on the tabs: those of open cases only, so the count reads the open few per cent of a year's
# cases through the status index, not every case ever closed (measured in make bench at 200,000 cases).
UNCOUNTED = {"done"}


def queue_counts(user, queues: dict[str, Q]) -> dict[str, int]:
    """Every open queue's size in one aggregate query over the counter table (cases.counters): a SUM over the
    few rows of the user's prefixes, whatever the number of cases. A queue whose Q tests more than the counters'
    key, or a scope that does not map onto their rows, is counted from the cases themselves (`live_queue_counts`);
    none of today's tabs or roles needs that."""
    counted = {name: q for name, q in queues.items() if name not in UNCOUNTED}
    rows = counters.rows_visible_to(user)
    mapped = {name: q for name, q in counted.items() if rows is not None and counters.maps(q)}
    result = rows.aggregate(**{name: Coalesce(Sum("count", filter=q), 0) for name, q in mapped.items()}) if mapped else {}
    live = {name: q for name, q in counted.items() if name not in mapped}
    if live:
        result.update(live_queue_counts(user, live))
    return {name: result[name] for name in counted}


def live_queue_counts(user, queues: dict[str, Q]) -> dict[str, int]:
    """The queues' sizes counted from the open cases (an index-only scan of case_open_queue): 10–20 ms for a
    district's 24,500 open cases; what the counter table must always agree with."""
    return (Case.objects.visible_to(user).filter(status__in=OPEN)
            .aggregate(**{name: Count("status", filter=q) for name, q in queues.items()}))


def _seek_deadline(queryset: QuerySet, after: str) -> QuerySet:
    # The cursor is "<deadline as epoch microseconds>.<id>", or "-.<id>" past the rows with a deadline (they come
    # last).
    moment, _dot, pk = after.partition(".")
    if not pk.isdigit():
        return queryset
    if moment == "-":
        return queryset.filter(deadline__isnull=True, pk__gt=int(pk))
    if not moment.isdigit():
        return queryset
    at = datetime.datetime.fromtimestamp(int(moment) / 1_000_000, tz=datetime.UTC)
    return queryset.filter(Q(deadline__gt=at) | Q(deadline=at, pk__gt=int(pk)) | Q(deadline__isnull=True))


def _deadline_cursor(case: Case) -> str:
    if case.deadline is None:
        return f"-.{case.pk}"
    delta = case.deadline - datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}.{case.pk}"


# The orders a queue can be read in: newest first (the default), waiting longest first, and the nearest deadline
# first (cases without one after the others).
SORTS: dict[str, Keyset] = {
    "newest": NEWEST_FIRST,
    "oldest": Keyset(order=("pk",),
                     seek=lambda queryset, after: queryset.filter(pk__gt=int(after)) if after.isdigit() else queryset,
                     cursor=lambda row: str(row.pk)),
    "deadline": Keyset(order=(F("deadline").asc(nulls_last=True), "pk"), seek=_seek_deadline, cursor=_deadline_cursor),
}


def case_page(queryset: QuerySet[Case], after: str = "", sort: str = "newest") -> tuple[list[Case], str]:
    """One page in the `sort` order (SORTS), and the cursor of the next (keyset: page 1,000 costs what page 1
    costs)."""
    queryset = queryset.select_related(*ROW_RELATED).only(*ROW_COLUMNS)
    return keyset_page(queryset, after, size=PAGE_SIZE, keyset=SORTS.get(sort, NEWEST_FIRST))


REFERENCE_RE = re.compile(r"\d{13}")
MOBILE_RE = re.compile(r"1\d{10}")
KEYWORD_MIN = 2


@dataclass(frozen=True)
class Search:
    """What a search box holds, read as one of: a reference (13 digits), a resident's mobile (11 digits, whole:
    no prefix search, which would enumerate people), or words of the description or the address."""

    by: str  # "reference" | "mobile" | "keyword"
    text: str

    @classmethod
    def parse(cls, text: str) -> Search | None:
        text = " ".join((text or "").split())[:100]
        if REFERENCE_RE.fullmatch(text):
            return cls("reference", text)
        if MOBILE_RE.fullmatch(text):
            return cls("mobile", text)
        if len(text) >= KEYWORD_MIN:
            return cls("keyword", text)
        return None


# How a case's state reads to this user, strongest first: its clock has run out, runs out soon, it waits for them,
# it is finished, or it is in someone else's hands. Badges take their colour from it (templatetags.case_badges).
BADGE_STATES = ("overdue", "due_soon", "mine", "done", "cancelled", "elsewhere")


def my_statuses(user) -> frozenset[str]:
    """The states in which a case waits for this user (their roles hold the move: workflow.holder_roles)."""
    return frozenset(status for status in Status.values
                     if status not in FINISHED and (user.is_superuser and status in _CENTER_HOLDS
                                                    or scope.has_role(user, *workflow.holder_roles(status))))


_CENTER_HOLDS = frozenset(s for s in Status.values if Role.COMMAND_CENTER in workflow.holder_roles(s))


def badge_state(case: Case, mine: frozenset[str]) -> str:
    if case.status in FINISHED:
        return "cancelled" if case.status in (Status.CANCELLED,) else "done"
    if case.status in AT_DEPARTMENT and case.alert == Alert.OVERDUE:
        return "overdue"
    if case.status in AT_DEPARTMENT and case.alert == Alert.DUE_SOON:
        return "due_soon"
    return "mine" if case.status in mine else "elsewhere"


def to_verify(user) -> QuerySet[Case]:
    """The worker's "to verify" list (待核查): cases of their grids fed back by a department, waiting for the grid's
    check (the workflow's verify / rework steps). Read through the case_open_queue index (grid, status)."""
    return Case.objects.visible_to(user).filter(status=Status.FED_BACK, grid__in=scope.places_of(user, *scope.GRID_STAFF))


def terminal_to_verify(user, place: Place, context: dict) -> None:
    """On the worker's own grid page (registered with grids.terminal_panels), the link to their list with its size
    (one query, only for the grid's own walkers)."""
    if context.get("walks_here"):
        context["to_verify"] = {"url": reverse("cases:to_verify"), "count": to_verify(user).count()}


def queue(user, queues: dict[str, Q], name: str) -> QuerySet[Case]:
    return Case.objects.visible_to(user).filter(queues[name])


@dataclass(frozen=True)
class CaseFilter:
    place_code: str = ""
    status: str = ""
    category_id: int | None = None
    source: str = ""
    open_only: bool = False
    search: Search | None = None


def matching(queryset: QuerySet[Case], search: Search) -> QuerySet[Case]:
    """The search's narrowing of cases already read through the gate (case_list's; the API's list, whose queryset
    the API base gates, narrows with it too)."""
    if search.by == "reference":
        return queryset.filter(reference=search.text)
    if search.by == "mobile":
        return queryset.filter(resident_mobile=search.text)
    for word in search.text.split(" "):
        queryset = queryset.filter(Q(description__icontains=word) | Q(address__icontains=word))
    return queryset


def case_list(user, f: CaseFilter) -> QuerySet[Case]:
    """The cases the user may read, narrowed by the filter: the one selector of the case list page, the desk's search
    box and the API's list (its `q`).

    The search reads as Search.parse says. A mobile matches only cases whose page shows this user that mobile anyway
    (the gate decides both: a department finds no other department's case by its caller), through the
    (resident_mobile, created_at) index; the reference is unique; words are matched in the description or the
    address, every word, newest first, the scan stopping at a page of matches."""
    queryset = Case.objects.visible_to(user)
    if f.search is not None:
        queryset = matching(queryset, f.search)
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


# ---------------------------------------------------------------------------------------------- notices


@dataclass(frozen=True)
class NoticeFilter:
    kind: str = ""
    case_reference: str = ""
    unread_only: bool = False


def notices(user, f: NoticeFilter) -> QuerySet[Notification]:
    """The user's own notices, of one kind or one case when asked (indexes: notification_user_kind,
    notification_user_case)."""
    queryset = Notification.objects.visible_to(user).select_related("case")
    if f.kind:
        queryset = queryset.filter(kind=f.kind)
    if f.case_reference:
        queryset = queryset.filter(case__reference=f.case_reference)
    if f.unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


def notice_kinds(user) -> list[tuple[str, str, int]]:
    """The kinds of the user's unread notices, with their labels and counts, the commonest first (one query)."""
    rows = (Notification.objects.visible_to(user).filter(read_at__isnull=True).values("kind")
            .annotate(n=Count("id")).order_by("-n", "kind"))
    return [(row["kind"], notice_kind_label(row["kind"]), row["n"]) for row in rows]


def notice_kind_label(kind: str) -> str:
    if kind in Alert.values and kind:
        return str(Alert(kind).label)
    return str(workflow.event_label(kind))


def notices_by_case(user, after: str = "") -> tuple[list[dict], str]:
    """The user's unread notices grouped by case, the case with the latest notice first: one row per case with
    its count and latest message (two queries a page; keyset on the latest notice's id)."""
    groups = (Notification.objects.visible_to(user).filter(read_at__isnull=True, case__isnull=False)
              .values("case_id").annotate(n=Count("id"), last=Max("id")).order_by("-last"))
    if after.isdigit():
        groups = groups.filter(last__lt=int(after))
    groups = list(groups[: PAGE_SIZE + 1])
    more = len(groups) > PAGE_SIZE
    groups = groups[:PAGE_SIZE]
    latest = {n.pk: n for n in Notification.objects.filter(pk__in=[g["last"] for g in groups]).select_related("case")}
    rows = [{"notice": latest[g["last"]], "count": g["n"]} for g in groups if g["last"] in latest]
    return rows, str(groups[-1]["last"]) if more else ""
