"""Reads of party organisations and members for the pages of grids (its terminals and public notice), through
the hooks grids offers (grids.terminal_panels, grids.public_selectors.register_notice_part): grids imports no
app, the arrow stays outreach → grids."""

from __future__ import annotations

from dataclasses import dataclass

from grids.models import Level, Place
from grids.selectors import counts_by_prefix

from ..models import PartyMember, PartyOrganization


@dataclass
class GridParty:
    organization: PartyOrganization | None
    members: list[PartyMember]


def grid_party(user, grid: Place) -> GridParty:
    """A grid's party organisation and the members the gate shows the user (department staff see none): two
    queries, one without an organisation."""
    organization = PartyOrganization.objects.filter(grid=grid).first()
    members = list(PartyMember.objects.visible_to(user).filter(organization=organization)) if organization else []
    return GridParty(organization=organization, members=members)


def terminal_party(user, place: Place, context: dict) -> None:
    """On a grid's terminal its party organisation (`party`); on the terminal of a district, street or community
    each place below with its number of registered party members, and their total: one grouped query."""
    if place.level == Level.GRID:
        context["party"] = grid_party(user, place)
        return
    rows = context.get("rows") or []
    members = counts_by_prefix(
        PartyMember.objects.filter(organization__grid__code__startswith=place.code), "organization__grid__code",
        len(rows[0].place.code),
    ) if rows else {}
    for row in rows:
        row.party_members = members.get(row.place.code, 0)
    if "totals" in context:
        context["totals"]["party_members"] = sum(members.get(row.place.code, 0) for row in rows)


def notice_organization(grid_id: int) -> dict[str, str]:
    """The party organisation's name on the grid's public notice (one query)."""
    name = PartyOrganization.objects.filter(grid_id=grid_id).values_list("name", flat=True).first()
    return {"organization": name or ""}
