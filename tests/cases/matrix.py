"""The cases app's part of the scope matrix (tests/scope): cases and case categories (see tests/grids/matrix.py
for what a part holds). Entering a case, per source, is a family of its own: tests/scope/test_case_entry.py."""

from __future__ import annotations

import uuid

from django.urls import reverse

from cases import services as case_services
from cases import workflow as case_workflow
from cases.models import Case, CaseCategory
from tests.scope import spec
from tests.scope.matrix import GRIDS_IN_ORDER, AdminRelation, Driver, grid_anchor, key_of, new_key


def category_at(place_key: str) -> CaseCategory:
    """The matrix's case category of the place's district."""
    return CaseCategory.objects.get(code="matrix", district__code=spec_code(spec.district_of(place_key)))


def spec_code(key: str) -> str:
    return {"D": "411002", "D2": "411003"}[key]


def _case_page_create(world, p):
    return {"key": new_key(), "grid": p.pk, "category": category_at(key_of(world, p)).pk, "description": "矩阵事件",
            "level": "center"}


def _case_service_create(world, actor, p):
    return case_services.case_create(
        actor=actor, source=(case_workflow.entry_sources(actor, p) or ["patrol"])[0], grid=p,
        category=category_at(key_of(world, p)), description="矩阵事件", key=uuid.uuid4())


DRIVERS = {
    "case": Driver(
        key="case", model=Case, admin_name="cases_case", api_basename="case", anchor=grid_anchor,
        find=lambda world, key: Case.objects.get(grid=world.cast.places[key]), mutable_field="supervised",
        page_list_url="/cases/", page_detail_url=lambda o: reverse("cases:detail", args=[o.reference]),
        page_create_url="/cases/new/", page_create=_case_page_create,
        page_update_url=lambda o: reverse("cases:act", args=[o.reference, "supervise"]),
        page_update=lambda o: {"version": o.version, "key": new_key(), "note": "矩阵督办"},
        api_key=lambda o: o.reference,
        api_create=lambda world, p: {"grid": p.code, "category": category_at(key_of(world, p)).pk,
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
}


def populate(world) -> None:
    """A case category per district, and a case at every grid dispatched to the district's 城市管理."""
    admin = world.cast.admin
    for key in ("D", "D2"):
        case_services.case_category_create(
            actor=admin, district=world.cast.places[key], code="matrix", name="矩阵类别",
            department=world.cast.departments[f"chengguan@{key}"])
    for key in GRIDS_IN_ORDER:
        case = case_services.case_create(
            actor=world.witnesses[key], source="patrol", grid=world.cast.places[key], category=category_at(key),
            description=f"{key}的事件", key=uuid.uuid4())
        for step in ("accept", "dispatch"):
            case = case_services.case_act(actor=admin, case=case, action=step, version=case.version)


ADMIN_RELATIONS = [
    AdminRelation("cases_casecategory", "district", "add", "case_category", "place", ("district",),
                  DRIVERS["case_category"].admin_create),
    AdminRelation("cases_casecategory", "department", "add", "case_category", "department", ("district",),
                  lambda world, p: {**DRIVERS["case_category"].admin_create(world, p),
                                    "department": world.cast.departments[f"chengguan@{key_of(world, p)}"].pk}),
    AdminRelation("cases_casecategory", "department", "change", "case_category", "department", ("district",),
                  lambda o: {**DRIVERS["case_category"].admin_update(o), "department": o.department_id}),
]
