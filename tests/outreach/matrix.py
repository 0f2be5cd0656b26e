"""The outreach app's part of the scope matrix (tests/scope): party organisations and party members (see
tests/grids/matrix.py for what a part holds)."""

from __future__ import annotations

from grids.models import Level, Place
from outreach import services as outreach_services
from outreach.models import Lecturer, LessonRequest, PartyMember, PartyOrganization
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


# ---------------------------------------------------------------------------------------------- the lecturers' pool

COMMUNITIES_IN_ORDER = [key for key, level in spec.LEVEL.items() if level == "community"]
LECTURER_LEVELS = {"district", "street", "community"}


def lecturer_anchor(target: str, mine: str, relation: str) -> str | None:
    """Lecturers belong to a district, a street or a community: a grid's relation points at its community."""
    if spec.LEVEL[target] == "grid":
        target = spec.PARENT[target]
        if relation != "own" and spec.within(mine, target):
            return None  # the grid's own community is its "parent" relation, not a sibling's
    return target if spec.LEVEL[target] in LECTURER_LEVELS else None


def community_anchor(target: str, mine: str, relation: str) -> str | None:
    """Lesson requests are a community's: a street's or district's relation points at a community within it."""
    if spec.LEVEL[target] in ("grid", "community"):
        return lecturer_anchor(target, mine, relation)
    for key in COMMUNITIES_IN_ORDER:
        if spec.within(key, target) and (relation == "own" or not spec.within(key, mine)):
            return key
    return None


LECTURER_DRIVERS = {
    "lecturer": Driver(
        key="lecturer", model=Lecturer, admin_name="", api_basename="lecturer", anchor=lecturer_anchor,
        surfaces=("service", "page", "api"),
        find=lambda world, key: Lecturer.objects.get(home=world.cast.places[key]),
        page_list_url="/outreach/lecturers/",
        page_detail_url=lambda o: f"/outreach/lecturers/{o.pk}/",
        # created and kept on the management pages (outreach/managed.py)
        page_create=lambda world, p: {"name": "矩阵宣讲员", "mobile": "13622223333", "kind": "teacher", "unit": "",
                                      "idempotency_key": new_key()},
        page_update=lambda o: {"name": o.name + "改", "mobile": o.mobile, "kind": o.kind, "unit": o.unit,
                               "active": "on", "version": o.version},
        service_create=lambda world, actor, p: outreach_services.lecturer_create(
            actor=actor, home=p, name="矩阵宣讲员", mobile="13622223333", kind="teacher", idempotency_key=new_key()),
        service_update=lambda actor, o: outreach_services.lecturer_update(actor=actor, lecturer=o, name=o.name + "改"),
        api_create=lambda world, p: {"home": p.code, "name": "矩阵宣讲员", "mobile": "13622223333", "kind": "teacher"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "lesson_request": Driver(
        key="lesson_request", model=LessonRequest, admin_name="", api_basename="lesson-request",
        anchor=community_anchor, mutable_field="status", surfaces=("service", "page", "api"),
        find=lambda world, key: LessonRequest.objects.get(community=world.cast.places[key], requester_name="矩阵点单人"),
        page_list_url="/outreach/lecturers/requests/",
        page_detail_url=lambda o: f"/outreach/lecturers/requests/{o.pk}/",
        page_create_url="/outreach/lecturers/requests/new/",
        page_create=lambda world, p: {"community": p.pk, "requester_name": "矩阵", "requester_mobile": "13712345678",
                                      "topic_wish": "矩阵点单", "idempotency_key": new_key()},
        page_update_url=lambda o: f"/outreach/lecturers/requests/{o.pk}/cancel",
        page_update=lambda o: {"reason": "矩阵取消", "version": o.version},
        service_create=lambda world, actor, p: outreach_services.lesson_request_create(
            actor=actor, community=p, requester_name="矩阵", requester_mobile="13712345678", topic_wish="矩阵点单"),
        service_update=lambda actor, o: outreach_services.lesson_request_cancel(actor=actor, request=o,
                                                                                reason="矩阵取消"),
        api_create=lambda world, p: {"community": p.code, "requester_name": "矩阵", "requester_mobile": "13712345678",
                                     "topic_wish": "矩阵点单"},
        api_update_url=lambda o: f"/api/v1/lesson-requests/{o.pk}/cancel/",
        api_update=lambda o: {"reason": "矩阵取消", "version": o.version},
    ),
}
DRIVERS.update(LECTURER_DRIVERS)


def populate(world) -> None:
    """Each party member of the cast has a mobile of their own, to find on a page; a lecturer at every district,
    street and community, and a lesson request (waiting to be assigned) at every community, each with a mobile of
    their own."""
    for index, member in enumerate(PartyMember.objects.order_by("pk")):
        PartyMember.objects.filter(pk=member.pk).update(mobile=f"1370000{index:04d}")
    admin = world.cast.admin
    for index, place in enumerate(sorted(world.cast.places.values(), key=lambda p: p.code)):
        if place.level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
            outreach_services.lecturer_create(actor=admin, home=place, name=f"{place.name}宣讲员",
                                              mobile=f"1380000{index:04d}", kind="cadre")
        if place.level == Level.COMMUNITY:
            outreach_services.lesson_request_create(actor=admin, community=place, requester_name="矩阵点单人",
                                                    requester_mobile=f"1350000{index:04d}", topic_wish="矩阵点单")


PERSONAL_FIELDS = {
    ("party_member", "mobile"): ("service", "page", "api", "admin"),
    ("lecturer", "mobile"): ("service", "page", "api"),
    ("lesson_request", "requester_mobile"): ("service", "api"),
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
