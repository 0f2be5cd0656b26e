"""Reads of party organisations and members for the pages of grids (its terminals and public notice), through
the hooks grids offers (grids.terminal_panels, grids.public_selectors.register_notice_part): grids imports no
app, the arrow stays outreach → grids."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from grids.models import Level, Place
from grids.selectors import counts_by_prefix
from wudu import scope

from ..models import PartyMember, PartyOrganization


@dataclass
class PlaceParty:
    organization: PartyOrganization | None
    members: list[PartyMember]
    calendar_url: str = ""  # its party life, for those who read it


def place_party(user, place: Place) -> PlaceParty:
    """A grid's or a community's own party organisation and the members the gate shows the user (department staff
    see none): two queries, one without an organisation."""
    organization = PartyOrganization.objects.filter(place=place).first()
    members = list(PartyMember.objects.visible_to(user).filter(organization=organization)) if organization else []
    calendar_url = (reverse("party_life:calendar", args=[organization.pk])
                    if organization and scope.reads(user, "branch_meeting") else "")
    return PlaceParty(organization=organization, members=members, calendar_url=calendar_url)


def terminal_party(user, place: Place, context: dict) -> None:
    """On a grid's terminal its party organisation (`party`); on the terminal of a district, street or community
    each place below with its number of registered party members, and their total: one grouped query; a community's
    own organisation (社区党委 …) and its members too (`party`: their members are in the total, not in a grid's row)."""
    if place.level in (Level.GRID, Level.COMMUNITY):
        context["party"] = place_party(user, place)
    if place.level == Level.GRID:
        return
    rows = context.get("rows") or []
    members = counts_by_prefix(
        PartyMember.objects.filter(organization__place__code__startswith=place.code), "organization__place__code",
        len(rows[0].place.code),
    ) if rows else {}
    for row in rows:
        row.party_members = members.get(row.place.code, 0)
    if "totals" in context:
        own = len(context["party"].members) if "party" in context else 0
        context["totals"]["party_members"] = sum(members.get(row.place.code, 0) for row in rows) + own


def notice_organization(grid_id: int) -> dict[str, str]:
    """The party organisation's name on the grid's public notice (one query)."""
    name = PartyOrganization.objects.filter(place_id=grid_id).values_list("name", flat=True).first()
    return {"organization": name or ""}
