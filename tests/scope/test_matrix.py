"""The generated scope matrix: every role × place relation × resource × action, over pages, API and admin.

Cases are generated from `spec.py`; each case performs the real request and checks what the user would
notice (the record is listed or not, opens or is missing, is created/changed or nothing happens). A new
resource joins by adding a `Driver` below and its rules in spec.py; a new role by adding it to the cast.

Besides one actor per role, the people of the cast with several roles (`MULTI_ROLE`) act at the places their
grants point at. Two more generated families follow the main one: personal fields (who sees a person's or a
party member's mobile, e-mail, photo) per actor, resource and surface, and the admin's foreign-key widgets
(a foreign id in a raw-id box, a select or an autocomplete is refused and shows nobody out of sight).
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases import workflow as case_workflow
from cases.models import Case, CaseCategory
from grids import services
from grids.models import Department, Membership, OutpostPartner, Place, Role, User
from ledger import services as ledger_services
from ledger.models import DailyReport, Household, Patrol, Site, SpotCheck, Visit
from ledger.reports import daily_report_build
from outreach.models import PartyMember, PartyOrganization
from tests.cast import appoint_multi_role
from tests.scope import spec
from wudu import scope

WITNESS_ROLE = {
    "grid": Role.GRID_WORKER,
    "community": Role.COMMUNITY_OFFICIAL,
    "street": Role.STREET_OFFICIAL,
    "district": Role.DISTRICT_OFFICIAL,
}
GRIDS_IN_ORDER = [key for key, level in spec.LEVEL.items() if level == "grid"]


@dataclass
class World:
    cast: object
    witnesses: dict[str, User]

    def place(self, key: str) -> Place:
        return Place.objects.get(pk=self.cast.places[key].pk)

    def actor(self, name: str) -> User:
        """A fresh copy of the actor (a role of the cast, or a person with several), without cached grants."""
        return User.objects.get(pk=self.cast.user(name).pk)


# The backend is named: the project's first backends only refuse or count logins and have no users of their own.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def sign_in(client, world: World, actor: str) -> None:
    client.force_login(world.cast.user(actor), backend=BACKEND)
    client.actor = world.actor(actor)


def build_world(cast) -> World:
    """The cast plus one witness person at every place, so each place has a person and a membership, and the
    people with several roles. Each witness has a mobile, e-mail and photo of their own, to find on a page."""
    witnesses = {}
    appoint_multi_role(cast)
    for index, (key, level) in enumerate(spec.LEVEL.items()):
        if level not in WITNESS_ROLE:
            continue
        membership = services.person_appoint(
            actor=cast.admin, place=cast.places[key], role=WITNESS_ROLE[level],
            username=f"witness_{key}", real_name=f"见证人{key}", mobile=f"1360000{index:04d}",
        )
        User.objects.filter(pk=membership.user_id).update(photo=f"people/2026/witness_{key}.jpg",
                                                          email=f"witness_{key}@example.cn")
        witnesses[key] = membership.user
    for index, member in enumerate(PartyMember.objects.order_by("pk")):
        PartyMember.objects.filter(pk=member.pk).update(mobile=f"1370000{index:04d}")
    for user in User.objects.filter(email=""):  # the cast's own people: their own e-mail and photo
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.cn",
                                               photo=f"people/2026/{user.username}.jpg")
    admin = cast.admin
    for key in GRIDS_IN_ORDER:
        grid = cast.places[key]
        household = ledger_services.household_create(actor=admin, grid=grid, address=f"{key}路 1 号")
        ledger_services.site_create(actor=admin, grid=grid, kind="shop", name=f"{key}商铺")
        patrol = ledger_services.patrol_start(actor=witnesses[key], grid=grid, client_id=uuid.uuid4())
        ledger_services.visit_record(actor=witnesses[key], patrol=patrol, client_id=uuid.uuid4(),
                                     visit_type="household", household=household)
        ledger_services.spot_check_record(actor=admin, grid=grid, client_id=uuid.uuid4(),
                                          checked_on=timezone.localdate(), findings="在岗", score=90)
    daily_report_build(timezone.localdate())
    # A case category per district, and a case at every grid dispatched to the district's 城市管理.
    for key in ("D", "D2"):
        case_services.case_category_create(
            actor=admin, district=cast.places[key], code="matrix", name="矩阵类别",
            department=cast.departments[f"chengguan@{key}"])
    for key in GRIDS_IN_ORDER:
        case = case_services.case_create(
            actor=witnesses[key], source="patrol", grid=cast.places[key], category=_category(key),
            description=f"{key}的事件", key=uuid.uuid4())
        for step in ("accept", "dispatch"):
            case = case_services.case_act(actor=admin, case=case, action=step, version=case.version)
    return World(cast=cast, witnesses=witnesses)



@pytest.fixture
def world(request, _cast_store):
    """The world, built once per worker in a savepoint above the cast (a layer of the cast store, see
    tests/cast_store.py), each test in a savepoint above it with a deep copy of it."""
    shared = _cast_store.layer("world", build_world)
    if shared is None:  # the test's own transaction opened first: build it inside
        shared = build_world(request.getfixturevalue("cast"))
    request.getfixturevalue("db")
    return shared


def _category(place_key: str) -> CaseCategory:
    return CaseCategory.objects.get(code="matrix", district__code=spec_code(spec.district_of(place_key)))


def spec_code(key: str) -> str:
    return {"D": "411002", "D2": "411003"}[key]


# --------------------------------------------------------------------------------------------- drivers


def _grid_anchor(target: str, mine: str, relation: str) -> str | None:
    if spec.LEVEL[target] == "grid":
        return target
    for key in GRIDS_IN_ORDER:
        if spec.within(key, target) and (relation == "own" or not spec.within(key, mine)):
            return key
    return None


@dataclass(frozen=True)
class Driver:
    key: str
    model: type
    admin_name: str  # app_label_modelname
    api_basename: str
    anchor: Callable[[str, str, str], str | None]  # (target, mine, relation) -> place key or None
    find: Callable[[World, str], object]
    mutable_field: str = "name"
    page_create: Callable | None = None  # (world, anchor place) -> form data
    page_update: Callable | None = None  # (obj) -> form data
    admin_create: Callable | None = None
    admin_update: Callable | None = None
    api_create: Callable | None = None
    api_update: Callable | None = None
    creating_child: bool = False
    before_create: Callable | None = None  # (world, anchor place) -> None, e.g. free the slot
    service_create: Callable | None = None  # (world, actor, anchor place) -> object, through the service
    service_update: Callable | None = None  # (actor, obj) -> object, through the service
    surfaces: tuple[str, ...] = spec.SURFACES  # where the resource is offered so far
    # Resources with their own pages (not the /manage/ ones) and API lookups other than the id:
    page_list_url: str = ""  # a list page whose context has `rows`
    page_detail_url: Callable | None = None  # (obj) -> url
    page_create_url: str = ""
    page_update_url: Callable | None = None  # (obj) -> url of a POST that changes it
    api_key: Callable = lambda obj: obj.pk  # how the API names one
    api_update_url: Callable | None = None  # (obj) -> url of a POST that changes it (instead of PATCH)

    def value(self, obj) -> str:
        return getattr(type(obj).objects.get(pk=obj.pk), self.mutable_field)

    @property
    def scope_resource(self) -> str:
        return self.model._default_manager.get_queryset().scope_resource


def _key() -> str:
    return str(uuid.uuid4())


def _level_role(place: Place) -> str:
    return str(WITNESS_ROLE.get(place.level, Role.GRID_WORKER))


def _fresh_user() -> User:
    return User.objects.create_user(username=f"new_{uuid.uuid4().hex[:8]}", real_name="新人员", mobile="13512345678")


def _drop_party_org(world, grid: Place) -> None:
    PartyMember.objects.filter(organization__grid=grid).delete()
    PartyOrganization.objects.filter(grid=grid).delete()


DRIVERS = {
    "place": Driver(
        key="place", model=Place, admin_name="grids_place", api_basename="place",
        anchor=lambda target, mine, relation: target,
        find=lambda world, key: world.place(key),
        creating_child=True,
        page_create=lambda world, p: {"name": "矩阵新地点", "idempotency_key": _key()},
        page_update=lambda o: {"name": o.name + "改", "address": "", "boundary": json.dumps(o.boundary or ""),
                               "version": o.version},
        admin_create=lambda world, p: {"parent": p.pk, "name": "矩阵新地点", "address": "", "boundary": ""},
        admin_update=lambda o: {"name": o.name + "改", "address": "", "boundary": json.dumps(o.boundary)},
        api_create=lambda world, p: {"parent": p.code, "name": "矩阵新地点"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "person": Driver(
        key="person", model=User, admin_name="grids_user", api_basename="person",
        anchor=lambda target, mine, relation: target if spec.LEVEL[target] != "city" else None,
        find=lambda world, key: world.witnesses[key],
        mutable_field="real_name",
    ),
    "membership": Driver(
        key="membership", model=Membership, admin_name="grids_membership", api_basename="membership",
        anchor=lambda target, mine, relation: target if spec.LEVEL[target] != "city" else None,
        find=lambda world, key: Membership.objects.get(user=world.witnesses[key]),
        mutable_field="duties",
        page_create=lambda world, p: {
            "role": _level_role(p), "username": f"new_{uuid.uuid4().hex[:8]}", "real_name": "新任命",
            "mobile": "13512345678", "idempotency_key": _key(),
        },
        page_update=lambda o: {"work_phone": "0374-6660000", "duties": o.duties + "改", "version": o.version},
        admin_create=lambda world, p: {"user": _fresh_user().pk, "role": _level_role(p), "place": p.pk,
                                       "work_phone": "", "duties": ""},
        admin_update=lambda o: {"work_phone": "0374-6660000", "duties": o.duties + "改"},
        api_create=lambda world, p: {"user": _fresh_user().pk, "role": _level_role(p), "place": p.code},
        api_update=lambda o: {"duties": o.duties + "改", "version": o.version},
    ),
    "department": Driver(
        key="department", model=Department, admin_name="grids_department", api_basename="department",
        anchor=lambda target, mine, relation: spec.district_of(target),
        find=lambda world, key: world.cast.departments[f"chengguan@{key}"],
        page_create=lambda world, p: {"name": "矩阵局", "short_code": "matrix", "idempotency_key": _key()},
        page_update=lambda o: {"name": o.name + "改", "phone": "", "duties": "", "version": o.version},
        admin_create=lambda world, p: {"district": p.pk, "name": "矩阵局", "short_code": "matrix", "phone": "",
                                       "duties": ""},
        admin_update=lambda o: {"name": o.name + "改", "short_code": o.short_code, "phone": "", "duties": ""},
        api_create=lambda world, p: {"district": p.code, "name": "矩阵局", "short_code": "matrix"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "partner": Driver(
        key="partner", model=OutpostPartner, admin_name="grids_outpostpartner", api_basename="partner",
        anchor=_grid_anchor,
        find=lambda world, key: OutpostPartner.objects.get(grid=world.cast.places[key]),
        page_create=lambda world, p: {"kind": "resident_unit", "name": "矩阵单位", "idempotency_key": _key()},
        page_update=lambda o: {"kind": o.kind, "name": o.name + "改", "contact_name": "", "phone": "",
                               "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "kind": "resident_unit", "name": "矩阵单位",
                                       "contact_name": "", "phone": ""},
        admin_update=lambda o: {"grid": o.grid_id, "kind": o.kind, "name": o.name + "改", "contact_name": "",
                                "phone": ""},
        api_create=lambda world, p: {"grid": p.code, "kind": "resident_unit", "name": "矩阵单位"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "party_org": Driver(
        key="party_org", model=PartyOrganization, admin_name="outreach_partyorganization",
        api_basename="party-organization",
        anchor=_grid_anchor,
        find=lambda world, key: PartyOrganization.objects.get(grid=world.cast.places[key]),
        before_create=_drop_party_org,
        page_create=lambda world, p: {"kind": "branch", "name": "矩阵支部", "idempotency_key": _key()},
        page_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": "", "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "kind": "branch", "name": "矩阵支部", "secretary": ""},
        admin_update=lambda o: {"kind": o.kind, "name": o.name + "改", "secretary": ""},
        api_create=lambda world, p: {"grid": p.code, "kind": "branch", "name": "矩阵支部"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "party_member": Driver(
        key="party_member", model=PartyMember, admin_name="outreach_partymember", api_basename="party-member",
        anchor=_grid_anchor,
        find=lambda world, key: PartyMember.objects.get(organization__grid=world.cast.places[key]),
        page_create=lambda world, p: {"name": "矩阵党员", "mobile": "13811112222", "registered_on": "2025-01-01",
                                      "idempotency_key": _key()},
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


def _at_grid(model, **extra):
    return lambda world, key: model.objects.get(grid=world.cast.places[key], **extra)


LEDGER_WITH_API = ("service", "api")  # the ledger's own pages (patrol, ledger list) are tested in tests/ledger

DRIVERS.update({
    "household": Driver(
        key="household", model=Household, admin_name="ledger_household", api_basename="household",
        anchor=_grid_anchor, find=_at_grid(Household), mutable_field="address", surfaces=spec.SURFACES,
        page_create=lambda world, p: {"address": "新住户路 1 号", "residents": 2, "idempotency_key": _key()},
        page_update=lambda o: {"address": o.address + "改", "residents": o.residents, "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "address": "新住户路 1 号", "residents": 2},
        admin_update=lambda o: {"address": o.address + "改", "residents": o.residents},
        api_create=lambda world, p: {"grid": p.code, "address": "新住户路 1 号"},
        api_update=lambda o: {"address": o.address + "改", "version": o.version},
    ),
    "site": Driver(
        key="site", model=Site, admin_name="ledger_site", api_basename="site", anchor=_grid_anchor,
        find=_at_grid(Site), surfaces=spec.SURFACES,
        page_create=lambda world, p: {"kind": "shop", "name": "新商铺", "idempotency_key": _key()},
        admin_create=lambda world, p: {"grid": p.pk, "kind": "shop", "name": "新商铺"},
        api_create=lambda world, p: {"grid": p.code, "kind": "shop", "name": "新商铺"},
    ),
    "patrol": Driver(
        key="patrol", model=Patrol, admin_name="", api_basename="patrol", anchor=_grid_anchor,
        find=_at_grid(Patrol), surfaces=LEDGER_WITH_API,
        service_create=lambda world, actor, p: ledger_services.patrol_start(actor=actor, grid=p, client_id=uuid.uuid4()),
        api_create=lambda world, p: {"grid": p.code, "client_id": _key()},
    ),
    "visit": Driver(
        key="visit", model=Visit, admin_name="", api_basename="visit", anchor=_grid_anchor,
        find=_at_grid(Visit), surfaces=LEDGER_WITH_API,
    ),
    "daily_report": Driver(
        key="daily_report", model=DailyReport, admin_name="", api_basename="daily-report",
        anchor=lambda target, mine, relation: target if spec.LEVEL[target] != "city" else None,
        find=lambda world, key: DailyReport.objects.get(place=world.cast.places[key]), surfaces=LEDGER_WITH_API,
    ),
    "spot_check": Driver(
        key="spot_check", model=SpotCheck, admin_name="", api_basename="spot-check", anchor=_grid_anchor,
        find=_at_grid(SpotCheck), surfaces=("service", "page", "api"),
        page_create=lambda world, p: {"checked_on": str(timezone.localdate()), "findings": "暗访", "score": "80",
                                      "idempotency_key": _key()},
        api_create=lambda world, p: {"grid": p.code, "client_id": _key(), "checked_on": str(timezone.localdate()),
                                     "findings": "暗访", "score": "80"},
        service_create=lambda world, actor, p: ledger_services.spot_check_record(
            actor=actor, grid=p, client_id=uuid.uuid4(), checked_on=timezone.localdate(), findings="暗访", score=80),
    ),
})

def _case_page_create(world, p):
    return {"key": _key(), "grid": p.pk, "category": _category(_key_of(world, p)).pk, "description": "矩阵事件",
            "level": "center"}


def _key_of(world, place) -> str:
    return next(k for k, v in world.cast.places.items() if v.pk == place.pk)


def _case_service_create(world, actor, p):
    return case_services.case_create(
        actor=actor, source=(case_workflow.entry_sources(actor, p) or ["patrol"])[0], grid=p,
        category=_category(_key_of(world, p)), description="矩阵事件", key=uuid.uuid4())


DRIVERS.update({
    "case": Driver(
        key="case", model=Case, admin_name="cases_case", api_basename="case", anchor=_grid_anchor,
        find=lambda world, key: Case.objects.get(grid=world.cast.places[key]), mutable_field="supervised",
        page_list_url="/cases/", page_detail_url=lambda o: reverse("cases:detail", args=[o.reference]),
        page_create_url="/cases/new/", page_create=_case_page_create,
        page_update_url=lambda o: reverse("cases:act", args=[o.reference, "supervise"]),
        page_update=lambda o: {"version": o.version, "key": _key(), "note": "矩阵督办"},
        api_key=lambda o: o.reference,
        api_create=lambda world, p: {"grid": p.code, "category": _category(_key_of(world, p)).pk,
                                     "description": "矩阵事件"},
        api_update_url=lambda o: reverse("api:case-supervise", args=[o.reference]),
        api_update=lambda o: {"version": o.version, "note": "矩阵督办"},
        service_create=_case_service_create,
        service_update=lambda actor, o: case_services.case_act(actor=actor, case=o, action="supervise",
                                                               version=o.version),
    ),
    "case_category": Driver(
        key="case_category", model=CaseCategory, admin_name="cases_casecategory", api_basename="case-category",
        anchor=lambda target, mine, relation: spec.district_of(target),
        find=lambda world, key: CaseCategory.objects.get(code="matrix", district=world.cast.places[key]),
        surfaces=("service", "api", "admin"),
        service_create=lambda world, actor, p: case_services.case_category_create(
            actor=actor, district=p, code=f"m{uuid.uuid4().hex[:8]}", name=f"新类别{uuid.uuid4().hex[:4]}"),
        service_update=lambda actor, o: case_services.case_category_update(actor=actor, category=o,
                                                                           name=o.name + "改"),
        admin_create=lambda world, p: {"district": p.pk, "code": "matrixnew", "name": "矩阵新类别", "time_limit": 5,
                                       "limit_unit": "working_days", "sort_order": 0, "public": "on",
                                       "active": "on", "description": ""},
        admin_update=lambda o: {"name": o.name + "改", "time_limit": o.time_limit, "limit_unit": o.limit_unit,
                                "sort_order": o.sort_order, "public": "on", "active": "on", "description": ""},
    ),
})


def _parsed(form_class, data: dict, drop: str, **kwargs) -> dict:
    """Form data parsed as the page parses it, handed to the service the page calls."""
    form = form_class(data, **kwargs)
    assert form.is_valid(), form.errors
    return {k: v for k, v in form.cleaned_data.items() if k != drop}


# Through the services, the foundation resources are written by the same functions the pages call.
def _via_managed(name: str, driver: Driver) -> Driver:
    from grids.manage import RESOURCES

    managed = RESOURCES[name]

    def create(world, actor, place):
        data = _parsed(managed.create_form, driver.page_create(world, place), "idempotency_key",
                       **managed.form_kwargs(actor, place))
        return managed.create(actor, place, data, None)

    def update(actor, obj):
        return managed.update(actor, obj, _parsed(managed.edit_form, driver.page_update(obj), "version"), None)

    return Driver(**{**driver.__dict__, "service_create": create,
                     "service_update": update if driver.page_update else None})


for _name, _driver in list(DRIVERS.items()):
    if "page" in _driver.surfaces and _driver.page_create is not None and not _driver.page_create_url:
        DRIVERS[_name] = _via_managed(_name, _driver)


# --------------------------------------------------------------------------------------------- surfaces


def _ids(objects) -> set[int]:
    return {obj.pk for obj in objects}


def _api_ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return {row["id"] for row in rows}


def _service(call) -> bool:
    try:
        call()
    except PermissionDenied:
        return False
    return True


def do_list(surface, client, driver, obj) -> bool:
    if surface == "service":
        return driver.model.objects.visible_to(client.actor).filter(pk=obj.pk).exists()
    if surface == "page" and driver.page_list_url:
        response = client.get(driver.page_list_url)
        return response.status_code == 200 and obj.pk in _ids(response.context["rows"])
    if surface == "page":
        response = client.get(reverse("manage:list", args=[driver.key]))
        return response.status_code == 200 and obj.pk in _ids(response.context["object_list"])
    if surface == "api":
        response = client.get(reverse(f"api:{driver.api_basename}-list"), {"page_size": 200})
        return response.status_code == 200 and obj.pk in _api_ids(response)
    response = client.get(reverse(f"admin:{driver.admin_name}_changelist"))
    return response.status_code == 200 and obj.pk in _ids(response.context["cl"].result_list)


def do_detail(surface, client, driver, obj) -> bool:
    if surface == "service":  # what a detail view does first: fetch by id through the gate
        return driver.model.objects.visible_to(client.actor).filter(pk=obj.pk).exists()
    if surface == "page":
        url = driver.page_detail_url(obj) if driver.page_detail_url else reverse("manage:detail",
                                                                                 args=[driver.key, obj.pk])
        response = client.get(url)
        assert response.status_code in (200, 404), response.status_code
    elif surface == "api":
        response = client.get(reverse(f"api:{driver.api_basename}-detail", args=[driver.api_key(obj)]))
        assert response.status_code in (200, 404), response.status_code
    else:
        response = client.get(reverse(f"admin:{driver.admin_name}_change", args=[obj.pk]))
    return response.status_code == 200


def do_create(surface, client, driver, world, place) -> bool:
    if driver.before_create:
        driver.before_create(world, place)
    before = driver.model.objects.count()
    if surface == "service":
        ok = _service(lambda: driver.service_create(world, client.actor, place))
        assert driver.model.objects.count() - before == (1 if ok else 0)
        return ok
    if surface == "page":
        url = driver.page_create_url or reverse("manage:create", args=[driver.key]) + f"?place={place.code}"
        response = client.post(url, driver.page_create(world, place))
        ok = response.status_code == 302
    elif surface == "api":
        response = client.post(reverse(f"api:{driver.api_basename}-list"), driver.api_create(world, place),
                               content_type="application/json")
        ok = response.status_code == 201
    else:
        response = client.post(reverse(f"admin:{driver.admin_name}_add"), driver.admin_create(world, place))
        ok = response.status_code == 302 and driver.model.objects.count() > before
    created = driver.model.objects.count() - before
    assert created == (1 if ok else 0), (response.status_code, created, getattr(response, "content", b"")[:300])
    return ok


def do_update(surface, client, driver, obj) -> bool:
    before = driver.value(obj)
    if surface == "service":
        ok = _service(lambda: driver.service_update(client.actor, obj))
        assert (driver.value(obj) != before) == ok
        return ok
    if surface == "page":
        url = driver.page_update_url(obj) if driver.page_update_url else reverse("manage:edit",
                                                                                 args=[driver.key, obj.pk])
        response = client.post(url, driver.page_update(obj))
        ok = response.status_code == 302
    elif surface == "api" and driver.api_update_url:
        response = client.post(driver.api_update_url(obj), driver.api_update(obj), content_type="application/json")
        ok = response.status_code == 200
    elif surface == "api":
        response = client.patch(reverse(f"api:{driver.api_basename}-detail", args=[obj.pk]), driver.api_update(obj),
                                content_type="application/json")
        ok = response.status_code == 200
    else:
        response = client.post(reverse(f"admin:{driver.admin_name}_change", args=[obj.pk]), driver.admin_update(obj))
        ok = response.status_code == 302 and driver.value(obj) != before
    changed = driver.value(obj) != before
    assert changed == ok, (response.status_code, before, driver.value(obj), getattr(response, "content", b"")[:300])
    return ok


# --------------------------------------------------------------------------------------------- the matrix


def _anchors(actor: str, driver: Driver) -> list[tuple[str, str]]:
    """(relation, anchor) pairs an actor is tested at: one per relation to their place; for a person with several
    roles, every place their grants' relations lead to (each once, named by the place)."""
    if actor in spec.ROLES:
        mine = spec.ACTOR_PLACE[actor]
        return [(relation, driver.anchor(spec.TARGET[mine][relation], mine, relation)) for relation in spec.RELATIONS]
    out = {}
    for _role, mine in spec.GRANTS[actor]:
        for relation in spec.RELATIONS:
            anchor = driver.anchor(spec.TARGET[mine][relation], mine, relation)
            if anchor is not None:
                out.setdefault(anchor, (f"at_{anchor}", anchor))
    return list(out.values())


def _cases():
    for surface, resource, action, actor in itertools.product(spec.SURFACES, spec.READ, spec.ACTIONS, spec.ACTORS):
        driver = DRIVERS[resource]
        if surface not in driver.surfaces:
            continue  # not offered on this surface yet (the ledger's pages, API and admin come with their issue)
        creates = getattr(driver, f"{surface}_create")
        updates = getattr(driver, f"{surface}_update")
        if action == "create" and creates is None or action == "update" and updates is None:
            continue  # no such action (people are appointed through memberships; ledger entries are immutable)
        district_wide = resource in ("department", "case_category")
        for relation, anchor in _anchors(actor, driver):
            if anchor is None or action == "create" and district_wide and spec.LEVEL[anchor] != "district":
                continue  # no such record there (nothing sits at city level; departments are district-wide)
            yield pytest.param(surface, resource, action, actor, relation, anchor,
                               id=f"{surface}-{resource}-{action}-{actor}-{relation}")


CASES = list(_cases())


@pytest.mark.parametrize("surface, resource, action, role, relation, anchor", CASES)
def test_scope(world, db, client, surface, resource, action, role, relation, anchor):
    driver = DRIVERS[resource]
    allowed = spec.expected(role, resource, action, anchor, creating_child=driver.creating_child and action == "create")
    if surface == "admin":
        allowed = allowed and spec.reaches_admin(role)
    sign_in(client, world, role)

    if action == "create":
        outcome = do_create(surface, client, driver, world, world.place(anchor))
    else:
        found = driver.find(world, anchor)
        obj = type(found).objects.get(pk=found.pk)  # fresh: earlier tests' edits were rolled back in the database
        outcome = {"list": do_list, "detail": do_detail, "update": do_update}[action](surface, client, driver, obj)
    assert outcome == allowed, f"{role} {action} {resource}@{anchor} via {surface}: expected {allowed}, got {outcome}"


# --------------------------------------------------------------------------------------------- personal fields

# Where each personal field is shown: the layer every surface calls, the management pages (their columns), the
# API (its output) and the admin (its forms and lists).
FIELD_SURFACES = {
    ("person", "mobile"): ("service", "page", "api", "admin"),
    ("person", "email"): ("service", "admin"),
    ("person", "photo"): ("service", "api", "admin"),
    ("party_member", "mobile"): ("service", "page", "api", "admin"),
}
FIELD_ADMIN = {"person": "grids_user", "party_member": "outreach_partymember"}


def _field_cases():
    for (resource, field), surfaces in FIELD_SURFACES.items():
        driver = DRIVERS[resource]
        for surface, actor in itertools.product(surfaces, spec.ACTORS):
            anchors = [anchor for _relation, anchor in _anchors(actor, driver) if anchor is not None]
            if resource == "person":
                anchors.append("self")
            for anchor in dict.fromkeys(anchors):
                yield pytest.param(surface, resource, field, actor, anchor,
                                   id=f"{surface}-{resource}.{field}-{actor}-{anchor}")


def _shown(surface, client, driver, obj, field: str, value: str) -> bool:
    """Does the surface show this field's value of the record to the signed-in actor?"""
    resource = driver.key
    if surface == "service":
        rows = scope.with_field_access(driver.model.objects.visible_to(client.actor).filter(pk=obj.pk), client.actor,
                                       resource)
        row = rows.first()
        if row is None:
            return False
        answer = scope.may_see_field(client.actor, obj, resource, field)
        assert getattr(row, scope.field_access_name(field)) == answer  # a list's answer is the detail's
        return answer
    if surface == "page":
        response = client.get(reverse("manage:detail", args=[resource, obj.pk]))
        return response.status_code == 200 and any(str(v) == value for _label, v in response.context["fields"])
    if surface == "api":
        response = client.get(reverse(f"api:{driver.api_basename}-detail", args=[obj.pk]))
        if response.status_code != 200:
            return False
        shown = response.json()[field]
        return bool(shown) and value in shown
    response = client.get(reverse(f"admin:{FIELD_ADMIN[resource]}_change", args=[obj.pk]))
    return response.status_code == 200 and value in response.content.decode()


@pytest.mark.parametrize("surface, resource, field, actor, anchor", list(_field_cases()))
def test_personal_field(world, db, client, surface, resource, field, actor, anchor):
    driver = DRIVERS[resource]
    own = anchor == "self"
    found = world.cast.user(actor) if own else driver.find(world, anchor)
    obj = type(found).objects.get(pk=found.pk)
    value = str(getattr(obj, field))
    assert value, "the record needs a value to look for"
    allowed = spec.expected_field(actor, resource, field, anchor, own=own)
    if surface == "admin":
        allowed = allowed and spec.reaches_admin(actor)
    sign_in(client, world, actor)
    outcome = _shown(surface, client, driver, obj, field, value)
    assert outcome == allowed, f"{actor} sees {resource}.{field}@{anchor} via {surface}: expected {allowed}, got {outcome}"


# --------------------------------------------------------------------------------------------- admin foreign keys

# Where an object of the related resource sits out of sight, nearest first, by the level of the one it stands for.
FOREIGN_KEYS = {
    "place": {"grid": ["G3", "G4"], "community": ["C3", "C4"], "street": ["S2", "S3"], "district": ["D2"]},
    "person": ["G3", "C3", "S2", "G4", "C4", "S3", "D2"],
    "department": ["D2"],
    "party_org": ["G3", "G4"],
}


@dataclass(frozen=True)
class AdminRelation:
    """One foreign key of an admin form: the record's resource, the related resource, the levels of place the
    record can be made at, and the form data of a valid record (the field under test set to a visible object)."""

    admin_name: str
    field: str
    action: str  # "add" or "change"
    resource: str
    related: str
    levels: tuple[str, ...]
    data: Callable  # (world, anchor place) -> form data (add) | (obj) -> form data (change)


def _appoint_staff(world, p):
    return {"user": _fresh_user().pk, "role": "department_staff", "place": p.pk,
            "department": world.cast.departments[f"chengguan@{_key_of(world, p)}"].pk, "work_phone": "", "duties": ""}


ADMIN_RELATIONS = [
    AdminRelation("grids_place", "parent", "add", "place", "place", ("community", "street", "district"),
                  DRIVERS["place"].admin_create),
    AdminRelation("grids_department", "district", "add", "department", "place", ("district",),
                  DRIVERS["department"].admin_create),
    AdminRelation("grids_membership", "user", "add", "membership", "person", ("grid", "community", "street"),
                  DRIVERS["membership"].admin_create),
    AdminRelation("grids_membership", "place", "add", "membership", "place", ("grid", "community", "street"),
                  DRIVERS["membership"].admin_create),
    AdminRelation("grids_membership", "department", "add", "membership", "department", ("district",),
                  _appoint_staff),
    AdminRelation("grids_outpostpartner", "grid", "add", "partner", "place", ("grid",),
                  DRIVERS["partner"].admin_create),
    AdminRelation("ledger_household", "grid", "add", "household", "place", ("grid",),
                  DRIVERS["household"].admin_create),
    AdminRelation("ledger_site", "grid", "add", "site", "place", ("grid",), DRIVERS["site"].admin_create),
    AdminRelation("outreach_partyorganization", "grid", "add", "party_org", "place", ("grid",),
                  DRIVERS["party_org"].admin_create),
    AdminRelation("outreach_partymember", "organization", "add", "party_member", "party_org", ("grid",),
                  DRIVERS["party_member"].admin_create),
    AdminRelation("cases_casecategory", "district", "add", "case_category", "place", ("district",),
                  DRIVERS["case_category"].admin_create),
    AdminRelation("cases_casecategory", "department", "add", "case_category", "department", ("district",),
                  lambda world, p: {**DRIVERS["case_category"].admin_create(world, p),
                                    "department": world.cast.departments[f"chengguan@{_key_of(world, p)}"].pk}),
    AdminRelation("cases_casecategory", "department", "change", "case_category", "department", ("district",),
                  lambda o: {**DRIVERS["case_category"].admin_update(o), "department": o.department_id}),
]
ADMIN_ANCHORS = ["G1", "G1b", "G2", "C1", "C2", "S1", "D", "G3", "C3", "S2"]


def _admin_anchor(actor: str, relation: AdminRelation) -> str | None:
    """A place where the actor may add (or change) such a record, so that only the foreign key can refuse it."""
    action = "create" if relation.action == "add" else "update"
    for key in ADMIN_ANCHORS:
        if spec.LEVEL[key] in relation.levels and spec.expected(
                actor, relation.resource, action, key, creating_child=relation.resource == "place"):
            return key
    return None


def _foreign_key(actor: str, relation: AdminRelation, anchor: str) -> str:
    candidates = FOREIGN_KEYS[relation.related]
    if isinstance(candidates, dict):
        candidates = candidates[spec.LEVEL[anchor]]
    return next(key for key in candidates if not spec.expected(actor, relation.related, "list", key))


def _foreign_object(world: World, related: str, key: str):
    if related == "place":
        return world.place(key)
    if related == "person":
        return world.witnesses[key]
    if related == "department":
        return world.cast.departments[f"chengguan@{spec.district_of(key)}"]
    return PartyOrganization.objects.get(grid=world.cast.places[key])


def _admin_relation_cases():
    for relation, actor in itertools.product(ADMIN_RELATIONS, spec.ACTORS):
        if not spec.reaches_admin(actor):
            continue  # the admin refuses them altogether (tested by the main matrix)
        anchor = _admin_anchor(actor, relation)
        if anchor is None:
            continue  # they may not add such a record anywhere: nothing for a foreign key to refuse
        yield pytest.param(relation, actor, anchor, _foreign_key(actor, relation, anchor),
                           id=f"{relation.admin_name}.{relation.field}-{relation.action}-{actor}")


def _widget_shows(client, relation: AdminRelation, url: str, foreign) -> list[str]:
    """What the form's widget of the field shows of the foreign object when its id is filled in."""
    response = client.get(url, {relation.field: foreign.pk})
    assert response.status_code == 200
    form = response.context["adminform"].form
    html = str(form[relation.field])
    change_url = reverse(f"admin:{foreign._meta.app_label}_{foreign._meta.model_name}_change", args=[foreign.pk])
    choices = form.fields[relation.field].queryset
    leaks = []
    if choices.filter(pk=foreign.pk).exists():
        leaks.append("offered as a choice")
    if f'<option value="{foreign.pk}"' in html:
        leaks.append("listed as an option")
    namesake = any(str(choice) == str(foreign) for choice in choices)  # 城市管理 of this district and of the next
    if change_url in html or str(foreign) in html and not namesake:
        leaks.append("named beside the box")
    return leaks


def _lookups_show(client, relation: AdminRelation, foreign) -> list[str]:
    """Whether the raw-id lookup popup or the autocomplete list the foreign object."""
    leaks = []
    related = type(foreign)._meta
    popup = client.get(reverse(f"admin:{related.app_label}_{related.model_name}_changelist"),
                       {"_to_field": "id", "_popup": 1})
    if popup.status_code == 200 and foreign.pk in {o.pk for o in popup.context["cl"].result_list}:
        leaks.append("in the lookup popup")
    app_label, model_name = relation.admin_name.split("_", 1)
    term = getattr(foreign, "code", None) or getattr(foreign, "real_name", None) or ""
    found = client.get(reverse("admin:autocomplete"), {"app_label": app_label, "model_name": model_name,
                                                       "field_name": relation.field, "term": term})
    assert found.status_code in (200, 403, 404)
    if found.status_code == 200 and str(foreign.pk) in {row["id"] for row in found.json()["results"]}:
        leaks.append("in the autocomplete")
    return leaks


@pytest.mark.parametrize("relation, actor, anchor, foreign_key", list(_admin_relation_cases()))
def test_admin_foreign_key(world, db, client, relation, actor, anchor, foreign_key):
    """A foreign (out-of-scope) object's id is refused on add/change and not shown by the widget, the raw-id
    lookup or the autocomplete; the same form with a visible object is accepted."""
    sign_in(client, world, actor)
    foreign = _foreign_object(world, relation.related, foreign_key)
    model = DRIVERS[relation.resource].model
    if relation.action == "add":
        place = world.place(anchor)
        url = reverse(f"admin:{relation.admin_name}_add")
        if DRIVERS[relation.resource].before_create:
            DRIVERS[relation.resource].before_create(world, place)
        before = model.objects.count()
        data = relation.data(world, place)
        refused = client.post(url, {**data, relation.field: foreign.pk})
        assert model.objects.count() == before, f"{actor} added a {relation.resource} with a foreign {relation.field}"
        assert refused.status_code == 200  # the form again, with the error
        assert _widget_shows(client, relation, url, foreign) == []
        accepted = client.post(url, data)
        assert accepted.status_code == 302 and model.objects.count() == before + 1, accepted.content[:500]
    else:
        obj = DRIVERS[relation.resource].find(world, anchor)
        url = reverse(f"admin:{relation.admin_name}_change", args=[obj.pk])
        data = relation.data(obj)
        refused = client.post(url, {**data, relation.field: foreign.pk})
        obj.refresh_from_db()
        assert getattr(obj, f"{relation.field}_id") != foreign.pk, f"{actor} pointed {relation.field} out of sight"
        assert refused.status_code == 200
        assert _widget_shows(client, relation, url, foreign) == []
        assert client.post(url, data).status_code == 302
    assert _lookups_show(client, relation, foreign) == []


def test_every_admin_foreign_key_is_in_the_matrix():
    """A new foreign key in an admin form joins the matrix (a row of ADMIN_RELATIONS), or this fails."""
    from django.contrib import admin as django_admin
    from django.contrib.admin.utils import flatten_fieldsets

    from wudu.admin_base import GatedAdminMixin

    tested = {(r.admin_name, r.field) for r in ADMIN_RELATIONS}
    missing = set()
    for model, model_admin in django_admin.site._registry.items():
        if not isinstance(model_admin, GatedAdminMixin) or model in (Case, User):
            continue  # cases are read-only in the admin; people's forms have no foreign key
        declared = flatten_fieldsets(model_admin.fieldsets) if model_admin.fieldsets else model_admin.fields or ()
        for name in declared:
            field = model._meta.get_field(name)
            related = field.related_model if field.is_relation else None
            if related is not None and hasattr(related._default_manager, "visible_to"):
                name_of = f"{model._meta.app_label}_{model._meta.model_name}"
                if (name_of, name) not in tested:
                    missing.add((name_of, name))
    assert missing == set()
