"""Reads of places and people, each starting from the scope gate."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from wudu import scope

from .models import GRID_ROLES, Level, Membership, OutpostPartner, Place, Role, User


def access_place(user, code: str, *, polygons: bool = True) -> Place:
    """A place the user may see, by its code, or 404 (invisible and missing look the same). `polygons=False`:
    without the boundaries (the terminal pages draw no map)."""
    places = Place.objects.select_related("parent")
    if not polygons:
        places = places.defer("boundary", "parent__boundary")
    return scope.access(places, user, code=code)


def access_managed(user, resource, pk: int):
    """A record of a managed resource (grids.manage.RESOURCES) the user may see, or 404 (invisible and missing
    alike), with whether each of its personal fields may be shown (`scope.with_field_access`)."""
    records = resource.model._default_manager.select_related(*resource.select_related)
    return scope.access(scope.with_field_access(records, user, resource.scope_resource), user, pk=pk)


def appointable_people(user):
    """People the user may appoint: those they see, or active accounts serving nowhere yet (a new account).

    People serving out of the user's sight look missing, so an appointment (on a page, through the API or in the
    admin) cannot reach someone in another street, nor show their name.
    """
    active = User.objects.filter(is_active=True)
    if user.is_superuser and user.is_active:
        return active
    visible = User.objects.visible_to(user).values("pk")
    return active.filter(Q(pk__in=visible) | ~Q(pk__in=Membership.objects.values("user_id")))


def breadcrumbs(user, place: Place) -> list[tuple[Place, bool]]:
    """The place's ancestors (one query) with whether the user may open each."""
    codes = place.ancestor_codes()[:-1]
    ancestors = Place.objects.filter(code__in=codes).order_by("code").only("name", "code", "level")
    return [(p, scope.can_read_code(user, "place", p.code)) for p in ancestors]


@dataclass
class ChildRow:
    place: Place
    grids: int
    staff: int
    # Apps above grids add their own figures to each row through grids.terminal_panels (ledger: day;
    # outreach: party_members).


def counts_by_prefix(queryset, code_field: str, length: int, distinct_field: str | None = None) -> dict[str, int]:
    rows = (
        queryset.annotate(prefix=Substr(code_field, 1, length))
        .values("prefix")
        .annotate(n=Count(distinct_field or "id", distinct=bool(distinct_field)))
        .order_by()
    )
    return {row["prefix"]: row["n"] for row in rows}


def staff_counts(codes: list[str]) -> dict[str, int]:
    """工作人员 of each place, by code: the people holding any role at the place or below it, each counted once.

    The one definition of the figure: a parent's row for a child and the child's own page read it from here, so
    they agree (someone serving at a street and in one of its communities counts once for the street). One query
    whatever the number of codes: a distinct count per code over the memberships under their common prefix.
    """
    if not codes:
        return {}
    common = codes[0]
    for code in codes[1:]:
        while not code.startswith(common):
            common = common[:-1]
    row = Membership.objects.filter(place__code__startswith=common).aggregate(**{
        f"c{i}": Count("user", distinct=True, filter=Q(place__code__startswith=code)) for i, code in enumerate(codes)
    })
    return {code: row[f"c{i}"] for i, code in enumerate(codes)}


def children_with_counts(place: Place) -> tuple[list[ChildRow], dict[str, int]]:
    """The places directly below, each with its number of grids and staff, and the place's own totals.

    Two queries whatever the number of children: grids are counted in the database by the children's code
    prefix, and staff through `staff_counts` (the place's own figure with its children's).
    """
    children = list(Place.objects.filter(parent=place).order_by("code").defer("boundary"))
    staff = staff_counts([place.code] + [child.code for child in children])
    if not children:
        return [], {"grids": 0, "staff": staff[place.code]}
    length = len(children[0].code)
    grids = counts_by_prefix(Place.objects.filter(level=Level.GRID, code__startswith=place.code), "code", length)
    rows = [
        ChildRow(
            place=child,
            grids=1 if child.level == Level.GRID else grids.get(child.code, 0),
            staff=staff[child.code],
        )
        for child in children
    ]
    # Grids do not overlap, so theirs add up; people serving in two children count once (not the rows' sum).
    return rows, {"grids": sum(r.grids for r in rows), "staff": staff[place.code]}


@dataclass
class GridProfile:
    grid: Place
    staff: list[Membership]
    buildings: list[Place]
    partners: list[OutpostPartner]


ROLE_ORDER = {role: i for i, role in enumerate(GRID_ROLES)}


def grid_profile(grid: Place) -> GridProfile:
    """Who serves a grid (一长两员), its buildings and outpost: three queries (outreach adds the party
    organisation through grids.terminal_panels)."""
    staff = sorted(
        Membership.objects.filter(place=grid, role__in=GRID_ROLES).select_related("user"),
        key=lambda m: (ROLE_ORDER[Role(m.role)], m.user.username),
    )
    return GridProfile(
        grid=grid,
        staff=staff,
        buildings=list(Place.objects.filter(parent=grid).order_by("code").defer("boundary")),
        partners=list(OutpostPartner.objects.filter(grid=grid).order_by("kind", "id")),
    )
