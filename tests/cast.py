"""The fixed cast every test starts from, built through the services.

    许昌市 4110
    ├── 魏都区 D (411002)                        departments: 城市管理 (dept), 生态环境 (dept_other)
    │   ├── 新兴街道 S1
    │   │   ├── 董庄社区 C1 ── 第1网格 G1 (1号楼院 B1), 第2网格 G1b
    │   │   └── 健康社区 C2 ── 第1网格 G2
    │   └── 丁庄街道 S2
    │       └── 丁庄社区 C3 ── 第1网格 G3
    └── 东城区 D2 (411003) ── 东街道 S3 ── 东社区 C4 ── 第1网格 G4

One user per role stands at its "own" place: grid roles at G1, community official at C1, street official
at S1, and the district roles at D. Each grid has an outpost partner, a party organisation and a member.

People hold several roles too (`MULTI_ROLE`): `appoint_multi_role(cast)` adds them where a test needs them
(the scope matrix does). They are not in every test's cast, because many tests count the people of G1.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from grids import geo, services
from grids.models import Department, Level, Membership, Place, Role, User
from outreach import services as outreach_services

PASSWORD = "Cast-password-2026"

# (role, own place key)
ROLE_PLACES = {
    Role.GRID_HEAD: "G1",
    Role.INSTRUCTOR: "G1",
    Role.GRID_WORKER: "G1",
    Role.COMMUNITY_OFFICIAL: "C1",
    Role.STREET_OFFICIAL: "S1",
    Role.DISTRICT_OFFICIAL: "D",
    Role.COMMAND_CENTER: "D",
    Role.DEPARTMENT_STAFF: "D",
    Role.SYSTEM_ADMIN: "D",
    Role.SECURITY_ADMIN: "D",
    Role.AUDIT_ADMIN: "D",
    Role.INSPECTION_OFFICE: "D",
    # not a membership: a member of a team of the cast's running round (`ROUND`) that covers 董庄社区
    Role.INSPECTOR: "C1",
}
# The cast's round of inspection: it started 10 days ago and runs 30 days; its follow-up lasts two months.
ROUND_STARTED_DAYS_AGO = 10

# People with several roles: name → ((role, place key), …). Their grants add up (the union of what each allows),
# except that covert spot checks never reach a grid where the person holds a grid role.
MULTI_ROLE = {
    # a grid worker of 董庄 G1 who is also an official of the neighbouring community 健康社区
    "worker_official": ((Role.GRID_WORKER, "G1"), (Role.COMMUNITY_OFFICIAL, "C2")),
    # a department's staff member who also walks a grid (健康社区 G2)
    "dept_worker": ((Role.DEPARTMENT_STAFF, "D"), (Role.GRID_WORKER, "G2")),
    # a grid head of G1 who is also an official of its own community 董庄社区 (sees G1b's spot checks, not G1's)
    "head_official": ((Role.GRID_HEAD, "G1"), (Role.COMMUNITY_OFFICIAL, "C1")),
    # a grid worker of G1 who is also an official of the other street 丁庄街道: may assign cases there, not into G1
    "worker_street": ((Role.GRID_WORKER, "G1"), (Role.STREET_OFFICIAL, "S2")),
}

# parent key, name, key, box (min_lng, min_lat, max_lng, max_lat)
TREE = [
    ("CITY", "魏都区", "D", (113.0, 34.0, 114.0, 35.0)),
    ("CITY", "东城区", "D2", (115.0, 34.0, 116.0, 35.0)),
    ("D", "新兴街道", "S1", (113.0, 34.0, 113.5, 35.0)),
    ("D", "丁庄街道", "S2", (113.5, 34.0, 114.0, 35.0)),
    ("D2", "东街道", "S3", (115.0, 34.0, 116.0, 35.0)),
    ("S1", "董庄社区", "C1", (113.0, 34.5, 113.5, 35.0)),
    ("S1", "健康社区", "C2", (113.0, 34.0, 113.5, 34.5)),
    ("S2", "丁庄社区", "C3", (113.5, 34.0, 114.0, 35.0)),
    ("S3", "东社区", "C4", (115.0, 34.0, 116.0, 35.0)),
    ("C1", "第1网格", "G1", (113.0, 34.5, 113.25, 35.0)),
    ("C1", "第2网格", "G1b", (113.25, 34.5, 113.5, 35.0)),
    ("C2", "第1网格", "G2", (113.0, 34.0, 113.5, 34.5)),
    ("C3", "第1网格", "G3", (113.5, 34.0, 114.0, 35.0)),
    ("C4", "第1网格", "G4", (115.0, 34.0, 116.0, 35.0)),
    ("G1", "1号楼院", "B1", None),
]


@dataclass
class Cast:
    admin: User
    places: dict[str, Place] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by role value
    departments: dict[str, Department] = field(default_factory=dict)

    def place(self, key: str) -> Place:
        return self.places[key]

    def user(self, role: str) -> User:
        return self.users[str(role)]

    @property
    def user_model(self) -> type[User]:
        return User


def build_cast() -> Cast:
    admin = User.objects.create_superuser(username="root", password=PASSWORD, real_name="超级管理员")
    cast = Cast(admin=admin)
    cast.places["CITY"] = services.place_create(actor=admin, parent=None, name="许昌市", level=Level.CITY, code="4110")
    for parent_key, name, key, box in TREE:
        kwargs = {"boundary": geo.rectangle(*box)} if box else {}
        if key == "D":
            kwargs["county_seq"] = 2
        if key == "D2":
            kwargs["county_seq"] = 3
        cast.places[key] = services.place_create(actor=admin, parent=cast.places[parent_key], name=name, **kwargs)
    for key in ("D", "D2"):
        for short_code, name in (("chengguan", "城市管理"), ("huanbao", "生态环境")):
            department = services.department_create(
                actor=admin, district=cast.places[key], name=name, short_code=short_code
            )
            cast.departments[f"{short_code}@{key}"] = department
    for role, key in ROLE_PLACES.items():
        if role == Role.INSPECTOR:
            continue
        membership = services.person_appoint(
            actor=admin, place=cast.places[key], role=role, username=f"u_{role.value}", real_name=f"{role.label}甲",
            mobile="13900000001", password=PASSWORD, work_phone="0374-5550001", duties=f"{role.label}职责",
            department=cast.departments["chengguan@D"] if role == Role.DEPARTMENT_STAFF else None,
        )
        cast.users[role.value] = membership.user
    cast.users[Role.INSPECTOR.value] = _appoint_inspector(cast)
    for n, key in enumerate(("G1", "G1b", "G2", "G3", "G4"), start=1):
        grid = cast.places[key]
        services.partner_create(actor=admin, grid=grid, kind="property_company", name=f"{key}物业公司")
        org = outreach_services.party_org_create(actor=admin, place=grid, kind="group", name=f"{key}党小组")
        outreach_services.party_member_register(
            actor=admin, organization=org, name=f"{key}党员", mobile=f"137000000{n:02d}",
            registered_on=datetime.date(2024, 1, 1),
        )
    # The communities' own party committees (社区党委), each with a cadre registered directly.
    for n, key in enumerate(("C1", "C2", "C3"), start=1):
        org = outreach_services.party_org_create(actor=admin, place=cast.places[key], kind="committee",
                                                 name=f"{key}社区党委")
        outreach_services.party_member_register(
            actor=admin, organization=org, name=f"{key}社区党员", mobile=f"137100000{n:02d}",
            registered_on=datetime.date(2024, 1, 1),
        )
    # Grid staff in the sibling grid and the other street, so "people" lists have someone to hide.
    for key in ("G1b", "G2", "G3", "G4"):
        services.person_appoint(
            actor=admin, place=cast.places[key], role=Role.GRID_WORKER, username=f"worker_{key}",
            real_name=f"{key}网格员", mobile="13900000002",
        )
    return cast


def _appoint_inspector(cast: Cast) -> User:
    """The cast's inspector: the leader of 第一巡察组 of the round running now, which covers 董庄社区 (C1)."""
    from inspections.services import rounds as inspection_rounds

    inspector = User.objects.create_user(username=f"u_{Role.INSPECTOR.value}", password=PASSWORD,
                                         real_name=f"{Role.INSPECTOR.label}甲", mobile="13900000001")
    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=ROUND_STARTED_DAYS_AGO)
    round_ = inspection_rounds.round_create(
        actor=cast.user(Role.INSPECTION_OFFICE), district=cast.places["D"], name="矩阵巡察轮次", starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=29))
    inspection_rounds.team_create(actor=cast.user(Role.INSPECTION_OFFICE), round=round_, name="第一巡察组",
                                  leader=inspector, places=[cast.places[ROLE_PLACES[Role.INSPECTOR]]])
    return inspector


def appoint_multi_role(cast: Cast) -> dict[str, User]:
    """Add the people of `MULTI_ROLE` to the cast (`cast.user(name)` finds them)."""
    for index, (name, grants) in enumerate(MULTI_ROLE.items()):
        user = None
        for role, key in grants:
            department = cast.departments["chengguan@D"] if role == Role.DEPARTMENT_STAFF else None
            if user is None:
                user = services.person_appoint(
                    actor=cast.admin, place=cast.places[key], role=role, username=name, real_name=f"兼职{index}",
                    mobile=f"1390000010{index}", password=PASSWORD, work_phone="0374-5550002", department=department,
                ).user
            else:
                services.membership_create(actor=cast.admin, user=user, role=role, place=cast.places[key],
                                           department=department, work_phone="0374-5550002")
        cast.users[name] = User.objects.get(pk=user.pk)
    return {name: cast.users[name] for name in MULTI_ROLE}


def memberships_of(user: User) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("place"))
