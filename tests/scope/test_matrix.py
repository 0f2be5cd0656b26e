"""The generated scope matrix: every role × place relation × resource × action, over pages, API and admin.

Cases are generated from `spec.py`; each case performs the real request and checks what the user would
notice (the record is listed or not, opens or is missing, is created/changed or nothing happens). A new
resource joins by adding a `Driver` below and its rules in spec.py; a new role by adding it to the cast.
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
from grids import ledger_services, services
from grids.models import (
    DailyReport,
    Department,
    Household,
    Membership,
    OutpostPartner,
    Patrol,
    Place,
    Role,
    Site,
    SpotCheck,
    User,
    Visit,
)
from grids.reports import daily_report_build
from outreach.models import PartyMember, PartyOrganization
from tests.scope import spec

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


@pytest.fixture(scope="module")
def world(shared_cast, django_db_blocker):
    """The cast plus one witness person at every place, so each place has a person and a membership."""
    witnesses = {}
    with django_db_blocker.unblock():
        for key, level in spec.LEVEL.items():
            if level not in WITNESS_ROLE:
                continue
            membership = services.person_appoint(
                actor=shared_cast.admin, place=shared_cast.places[key], role=WITNESS_ROLE[level],
                username=f"witness_{key}", real_name=f"见证人{key}", mobile="13600000000",
            )
            witnesses[key] = membership.user
        admin = shared_cast.admin
        for key in GRIDS_IN_ORDER:
            grid = shared_cast.places[key]
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
                actor=admin, district=shared_cast.places[key], code="matrix", name="矩阵类别",
                department=shared_cast.departments[f"chengguan@{key}"])
        for key in GRIDS_IN_ORDER:
            case = case_services.case_create(
                actor=witnesses[key], source="patrol", grid=shared_cast.places[key], category=_category(key),
                description=f"{key}的事件", key=uuid.uuid4())
            for step in ("accept", "dispatch"):
                case = case_services.case_act(actor=admin, case=case, action=step, version=case.version)
    return World(cast=shared_cast, witnesses=witnesses)


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


LEDGER_WITH_API = ("service", "api")  # the ledger's own pages (patrol, ledger list) are tested in tests/grids

DRIVERS.update({
    "household": Driver(
        key="household", model=Household, admin_name="grids_household", api_basename="household",
        anchor=_grid_anchor, find=_at_grid(Household), mutable_field="address", surfaces=spec.SURFACES,
        page_create=lambda world, p: {"address": "新住户路 1 号", "residents": 2, "idempotency_key": _key()},
        page_update=lambda o: {"address": o.address + "改", "residents": o.residents, "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "address": "新住户路 1 号", "residents": 2},
        admin_update=lambda o: {"address": o.address + "改", "residents": o.residents},
        api_create=lambda world, p: {"grid": p.code, "address": "新住户路 1 号"},
        api_update=lambda o: {"address": o.address + "改", "version": o.version},
    ),
    "site": Driver(
        key="site", model=Site, admin_name="grids_site", api_basename="site", anchor=_grid_anchor,
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
        actor=actor, source=(case_workflow.sources_for(actor) or ["patrol"])[0], grid=p,
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


def _cases():
    for surface, resource, action, role, relation in itertools.product(
        spec.SURFACES, spec.READ, spec.ACTIONS, spec.ROLES, spec.RELATIONS
    ):
        driver = DRIVERS[resource]
        if surface not in driver.surfaces:
            continue  # not offered on this surface yet (the ledger's pages, API and admin come with their issue)
        creates = getattr(driver, f"{surface}_create")
        updates = getattr(driver, f"{surface}_update")
        if action == "create" and creates is None or action == "update" and updates is None:
            continue  # no such action (people are appointed through memberships; ledger entries are immutable)
        mine = spec.ACTOR_PLACE[role]
        anchor = driver.anchor(spec.TARGET[mine][relation], mine, relation)
        district_wide = resource in ("department", "case_category")
        if anchor is None or action == "create" and district_wide and spec.LEVEL[anchor] != "district":
            continue  # no such record can exist there (nothing sits at city level; departments are district-wide)
        yield pytest.param(surface, resource, action, role, relation, anchor,
                           id=f"{surface}-{resource}-{action}-{role}-{relation}")


CASES = list(_cases())


@pytest.mark.parametrize("surface, resource, action, role, relation, anchor", CASES)
def test_scope(world, db, client, surface, resource, action, role, relation, anchor):
    driver = DRIVERS[resource]
    allowed = spec.expected(role, resource, action, anchor, creating_child=driver.creating_child and action == "create")
    if surface == "admin":
        allowed = allowed and role in spec.ADMIN_ROLES
    client.force_login(world.cast.user(role))
    client.actor = User.objects.get(pk=world.cast.user(role).pk)

    if action == "create":
        outcome = do_create(surface, client, driver, world, world.place(anchor))
    else:
        found = driver.find(world, anchor)
        obj = type(found).objects.get(pk=found.pk)  # fresh: earlier tests' edits were rolled back in the database
        outcome = {"list": do_list, "detail": do_detail, "update": do_update}[action](surface, client, driver, obj)
    assert outcome == allowed, f"{role} {action} {resource}@{anchor} via {surface}: expected {allowed}, got {outcome}"
