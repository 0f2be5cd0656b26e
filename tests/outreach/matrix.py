"""The outreach app's part of the scope matrix (tests/scope): party organisations and party members, certificates
(see tests/grids/matrix.py for what a part holds)."""

from __future__ import annotations

import datetime

from grids.models import Place
from outreach.models import PartyMember, PartyOrganization
from tests.scope import spec
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
    _populate_certificates(world)


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


# ---------------------------------------------------------------------------------------------- certificates
# An organisation, a volunteer with verified hours and a certificate at every place of the world (the certs area).


def _certificate_place(target: str, mine: str, relation: str) -> str | None:
    return target if spec.LEVEL[target] != "city" else None


def _free_certificates(world, place: Place) -> None:
    from outreach.models import Certificate, CertifiedRecord

    CertifiedRecord.objects.filter(certificate__organization__place=place).delete()
    Certificate.objects.filter(organization__place=place).delete()


def _issue(world, actor, place: Place):
    from outreach import services
    from outreach.models import VolunteerOrganization

    organization = VolunteerOrganization.objects.get(place=place, name="矩阵志愿队")
    return services.certificate_issue(actor=actor, organization=organization,
                                      volunteer=organization.service_records.first().volunteer,
                                      period_from=_PERIOD[0], period_to=_PERIOD[1])


def _issue_form(world, place: Place) -> dict:
    from outreach.models import VolunteerOrganization

    organization = VolunteerOrganization.objects.get(place=place, name="矩阵志愿队")
    return {"organization": organization.pk, "volunteer": organization.service_records.first().volunteer_id,
            "period_from": str(_PERIOD[0]), "period_to": str(_PERIOD[1]), "idempotency_key": new_key()}


_PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def _populate_certificates(world) -> None:
    from outreach import services
    from tests.outreach import certs_world

    for key, level in spec.LEVEL.items():
        if level in ("city", "building"):
            continue
        place = world.cast.places[key]
        organization = certs_world.org(place, "矩阵志愿队")
        who = certs_world.volunteer(place, f"{key}志愿者")
        certs_world.record(who, organization, datetime.date(2026, 3, 1))
        services.certificate_issue(actor=world.cast.admin, organization=organization, volunteer=who,
                                   period_from=_PERIOD[0], period_to=_PERIOD[1])


def _find_certificate(world, key: str):
    from outreach.models import Certificate

    return Certificate.objects.get(organization__place=world.cast.places[key], organization__name="矩阵志愿队")


def _revoke(actor, certificate):
    from outreach import services

    return services.certificate_revoke(actor=actor, certificate=certificate, reason="矩阵作废")


def _certificate_driver() -> Driver:
    from django.urls import reverse

    from outreach.models import Certificate

    return Driver(
        key="certificate", model=Certificate, admin_name="", api_basename="certificate",
        anchor=_certificate_place, find=_find_certificate, mutable_field="revoked_reason",
        surfaces=("service", "page", "api"),
        before_create=_free_certificates, service_create=_issue, service_update=_revoke,
        page_create=_issue_form, page_create_url=reverse("outreach_certs:issue"),
        page_update=lambda o: {"reason": "矩阵作废", "version": o.version},
        page_update_url=lambda o: reverse("outreach_certs:revoke", args=[o.pk]),
        page_list_url=reverse("outreach_certs:list"),
        page_detail_url=lambda o: reverse("outreach_certs:detail", args=[o.pk]),
    )


DRIVERS["certificate"] = _certificate_driver()
