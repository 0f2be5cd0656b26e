"""The outreach app's part of the scope matrix (tests/scope): party organisations and party members (see
tests/grids/matrix.py for what a part holds)."""

from __future__ import annotations

from grids.models import Place
from outreach.models import PartyMember, PartyOrganization
from tests.scope.matrix import AdminRelation, Driver, grid_anchor, new_key


def _drop_party_org(world, grid: Place) -> None:
    PartyMember.objects.filter(organization__grid=grid).delete()
    PartyOrganization.objects.filter(grid=grid).delete()


DRIVERS = {
    "party_org": Driver(
        key="party_org", model=PartyOrganization, admin_name="outreach_partyorganization",
        api_basename="party-organization",
        anchor=grid_anchor,
        find=lambda world, key: PartyOrganization.objects.get(grid=world.cast.places[key]),
        before_create=_drop_party_org,
        page_create=lambda world, p: {"kind": "branch", "name": "矩阵支部", "idempotency_key": new_key()},
        page_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": "", "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "kind": "branch", "name": "矩阵支部", "secretary": ""},
        admin_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": ""},
        api_create=lambda world, p: {"grid": p.code, "kind": "branch", "name": "矩阵支部"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "party_member": Driver(
        key="party_member", model=PartyMember, admin_name="outreach_partymember", api_basename="party-member",
        anchor=grid_anchor,
        find=lambda world, key: PartyMember.objects.get(organization__grid=world.cast.places[key]),
        page_create=lambda world, p: {"name": "矩阵党员", "mobile": "13811112222", "registered_on": "2025-01-01",
                                      "idempotency_key": new_key()},
        page_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "registered_on": str(o.registered_on),
                               "version": o.version},
        admin_create=lambda world, p: {"organization": PartyOrganization.objects.get(grid=p).pk, "name": "矩阵党员",
                                       "mobile": "13811112222", "registered_on": "2025-01-01"},
        admin_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "registered_on": str(o.registered_on)},
        api_create=lambda world, p: {"organization": PartyOrganization.objects.get(grid=p).pk, "name": "矩阵党员",
                                     "mobile": "13811112222", "registered_on": "2025-01-01"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
}


def populate(world) -> None:
    """Each party member of the cast has a mobile of their own, to find on a page."""
    for index, member in enumerate(PartyMember.objects.order_by("pk")):
        PartyMember.objects.filter(pk=member.pk).update(mobile=f"1370000{index:04d}")


PERSONAL_FIELDS = {
    ("party_member", "mobile"): ("service", "page", "api", "admin"),
}

FOREIGN_KEYS = {
    "party_org": ["G3", "G4"],
}

ADMIN_RELATIONS = [
    AdminRelation("outreach_partyorganization", "grid", "add", "party_org", "place", ("grid",),
                  DRIVERS["party_org"].admin_create),
    AdminRelation("outreach_partymember", "organization", "add", "party_member", "party_org", ("grid",),
                  DRIVERS["party_member"].admin_create),
]
