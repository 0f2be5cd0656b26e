"""Reads behind the public notice (统一公示): no login, no scope gate, and only the fields the notice shows.

The public notice is public by design, so these reads do not start from the scope gate. Instead, each
returns plain dataclasses holding exactly the published fields: a template cannot leak a personal mobile
number or a username that was never loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import (
    CODE_LENGTH,
    GRID_ROLES,
    Level,
    Membership,
    OutpostPartner,
    PartnerKind,
    Place,
    Role,
)

# ---------------------------------------------------------------------------------------------- index


@dataclass
class GridEntry:
    code: str
    name: str


@dataclass
class CommunityEntry:
    code: str
    name: str
    grids: list[GridEntry] = field(default_factory=list)


@dataclass
class StreetEntry:
    code: str
    name: str
    communities: list[CommunityEntry] = field(default_factory=list)

    @property
    def grid_count(self) -> int:
        return sum(len(c.grids) for c in self.communities)


@dataclass
class DistrictEntry:
    code: str
    name: str
    streets: list[StreetEntry] = field(default_factory=list)


@dataclass
class PublicIndex:
    districts: list[DistrictEntry]
    communities: dict[str, CommunityEntry]  # by code, for the "find your grid" box

    def street_of(self, community: CommunityEntry) -> StreetEntry | None:
        street_code = community.code[: CODE_LENGTH[Level.STREET]]
        for district in self.districts:
            for street in district.streets:
                if street.code == street_code:
                    return street
        return None


_PARENT_LEVEL = {Level.STREET: Level.DISTRICT, Level.COMMUNITY: Level.STREET, Level.GRID: Level.COMMUNITY}


def public_index() -> PublicIndex:
    """Districts → streets → communities → grids: one query, the tree rebuilt from the codes."""
    rows = (
        Place.objects.filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID])
        .order_by("code")
        .values_list("level", "code", "name")
    )
    districts: list[DistrictEntry] = []
    by_code: dict[str, DistrictEntry | StreetEntry | CommunityEntry] = {}
    communities: dict[str, CommunityEntry] = {}
    for level, code, name in rows:
        if level == Level.DISTRICT:
            entry = by_code[code] = DistrictEntry(code, name)
            districts.append(entry)
            continue
        parent = by_code.get(code[: CODE_LENGTH[_PARENT_LEVEL[level]]])
        if parent is None:  # cannot happen with coded paths; skip rather than fail a public page
            continue
        if level == Level.STREET:
            street = by_code[code] = StreetEntry(code, name)
            parent.streets.append(street)
        elif level == Level.COMMUNITY:
            community = by_code[code] = communities[code] = CommunityEntry(code, name)
            parent.communities.append(community)
        else:
            parent.grids.append(GridEntry(code, name))
    return PublicIndex(districts=districts, communities=communities)

# ---------------------------------------------------------------------------------------------- map


def grids_geojson(community_code: str | None = None) -> dict:
    """A FeatureCollection of grid boundaries (code, name, community, its code, street, url): one query."""
    grids = (
        Place.objects.filter(level=Level.GRID, boundary__isnull=False)
        .select_related("parent__parent")
        .only("code", "name", "boundary", "parent__name", "parent__code", "parent__parent__name")
        .order_by("code")
    )
    if community_code:
        grids = grids.filter(parent__code=community_code, parent__level=Level.COMMUNITY)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": grid.boundary,
                "properties": {
                    "code": grid.code,
                    "name": grid.name,
                    "community": grid.parent.name,
                    "community_code": grid.parent.code,
                    "street": grid.parent.parent.name if grid.parent.parent_id else "",
                    "url": reverse("public:grid", args=[grid.code]),
                },
            }
            for grid in grids
        ],
    }


# ---------------------------------------------------------------------------------------------- one grid


@dataclass(frozen=True)
class PublicPerson:
    """One of 一长两员 as published: no personal mobile, no username."""

    name: str
    role: str
    role_label: str
    photo_url: str
    work_phone: str
    duties: str

    @property
    def initial(self) -> str:
        return self.name[:1] if self.name else "?"


@dataclass(frozen=True)
class PublicPartner:
    kind_label: str
    name: str


@dataclass
class GridNotice:
    code: str
    name: str
    community: str
    community_code: str
    street: str
    district: str
    area_m2: float | None
    boundary: dict | None
    centroid: tuple[float, float] | None
    people: list[PublicPerson]
    partners: list[PublicPartner]
    # What other apps publish on the notice (outreach: "organization", its party organisation's name).
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def area_km2(self) -> float | None:
        return self.area_m2 / 1_000_000 if self.area_m2 is not None else None


_ROLE_ORDER = {role.value: i for i, role in enumerate(GRID_ROLES)}

# What other apps add to a grid's public notice, without grids knowing them: each part is called with the grid's
# id and returns published fields only (plain values, read with `.values_list`), put in `GridNotice.parts`.
NoticePart = Callable[[int], dict[str, Any]]
_NOTICE_PARTS: list[NoticePart] = []


def register_notice_part(part: NoticePart) -> NoticePart:
    if part not in _NOTICE_PARTS:
        _NOTICE_PARTS.append(part)
    return part


def grid_notice(code: str) -> GridNotice:
    """The public notice of one grid, or 404 for an unknown code or a place that is not a grid.

    Three queries whatever the number of people or partners: the grid with its community, street and
    district (one join), its grid staff with their names and photos, and its outpost partners; then one per
    registered notice part (outreach: the party organisation's name).
    """
    grid = (
        Place.objects.filter(code=code, level=Level.GRID)
        .select_related("parent__parent__parent")
        .only(
            "code", "name", "area_m2", "boundary", "centroid_lng", "centroid_lat",
            "parent__code", "parent__name", "parent__parent__name", "parent__parent__parent__name",
        )
        .first()
    )
    if grid is None:
        raise Http404(_("没有这个网格。"))
    community = grid.parent
    street = community.parent
    district = street.parent
    staff = (
        Membership.objects.filter(place_id=grid.pk, role__in=GRID_ROLES)
        .select_related("user")
        .only("role", "work_phone", "duties", "user__real_name", "user__photo")
        .order_by("id")
    )
    people = sorted(
        (
            PublicPerson(
                name=m.user.real_name,
                role=m.role,
                role_label=Role(m.role).label,
                photo_url=m.user.photo.url if m.user.photo else "",
                work_phone=m.work_phone,
                duties=m.duties,
            )
            for m in staff
        ),
        key=lambda p: _ROLE_ORDER[p.role],
    )
    partners = [
        PublicPartner(kind_label=PartnerKind(kind).label, name=name)
        for kind, name in OutpostPartner.objects.filter(grid_id=grid.pk).order_by("kind", "id").values_list(
            "kind", "name"
        )
    ]
    centroid = (grid.centroid_lng, grid.centroid_lat) if grid.centroid_lng is not None else None
    return GridNotice(
        code=grid.code,
        name=grid.name,
        community=community.name,
        community_code=community.code,
        street=street.name,
        district=district.name,
        area_m2=grid.area_m2,
        boundary=grid.boundary,
        centroid=centroid,
        people=people,
        partners=partners,
        parts={key: value for part in _NOTICE_PARTS for key, value in part(grid.pk).items()},
    )


def grid_exists(code: str) -> bool:
    return Place.objects.filter(code=code, level=Level.GRID).exists()
