"""The grids app's part of the scope matrix (tests/scope): places, people, memberships, departments and outpost
partners — how to find, create and change each (`DRIVERS`), who sees a person's personal fields where, where their
objects sit out of sight as foreign keys, and the foreign keys of their admin forms. Collected by
tests/scope/registry.py; the rules they are checked against are in tests/scope/spec.py."""

from __future__ import annotations

import json
import uuid

from grids.models import Department, Membership, OutpostPartner, Place, User
from tests.scope import spec
from tests.scope.matrix import AdminRelation, Driver, fresh_user, grid_anchor, key_of, level_role, new_key

DRIVERS = {
    "place": Driver(
        key="place", model=Place, admin_name="grids_place", api_basename="place",
        anchor=lambda target, mine, relation: target,
        find=lambda world, key: world.place(key),
        creating_child=True,
        page_create=lambda world, p: {"name": "矩阵新地点", "idempotency_key": new_key()},
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
            "role": level_role(p), "username": f"new_{uuid.uuid4().hex[:8]}", "real_name": "新任命",
            "mobile": "13512345678", "idempotency_key": new_key(),
        },
        page_update=lambda o: {"work_phone": "0374-6660000", "duties": o.duties + "改", "version": o.version},
        admin_create=lambda world, p: {"user": fresh_user().pk, "role": level_role(p), "place": p.pk,
                                       "work_phone": "", "duties": ""},
        admin_update=lambda o: {"work_phone": "0374-6660000", "duties": o.duties + "改"},
        api_create=lambda world, p: {"user": fresh_user().pk, "role": level_role(p), "place": p.code},
        api_update=lambda o: {"duties": o.duties + "改", "version": o.version},
    ),
    "department": Driver(
        key="department", model=Department, admin_name="grids_department", api_basename="department",
        anchor=lambda target, mine, relation: spec.district_of(target),
        find=lambda world, key: world.cast.departments[f"chengguan@{key}"],
        page_create=lambda world, p: {"name": "矩阵局", "short_code": "matrix", "idempotency_key": new_key()},
        page_update=lambda o: {"name": o.name + "改", "phone": "", "duties": "", "version": o.version},
        admin_create=lambda world, p: {"district": p.pk, "name": "矩阵局", "short_code": "matrix", "phone": "",
                                       "duties": ""},
        admin_update=lambda o: {"name": o.name + "改", "short_code": o.short_code, "phone": "", "duties": ""},
        api_create=lambda world, p: {"district": p.code, "name": "矩阵局", "short_code": "matrix"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
    "partner": Driver(
        key="partner", model=OutpostPartner, admin_name="grids_outpostpartner", api_basename="partner",
        anchor=grid_anchor,
        find=lambda world, key: OutpostPartner.objects.get(grid=world.cast.places[key]),
        page_create=lambda world, p: {"kind": "resident_unit", "name": "矩阵单位", "idempotency_key": new_key()},
        page_update=lambda o: {"kind": o.kind, "name": o.name + "改", "contact_name": "", "phone": "",
                               "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "kind": "resident_unit", "name": "矩阵单位",
                                       "contact_name": "", "phone": ""},
        admin_update=lambda o: {"grid": o.grid_id, "kind": o.kind, "name": o.name + "改", "contact_name": "",
                                "phone": ""},
        api_create=lambda world, p: {"grid": p.code, "kind": "resident_unit", "name": "矩阵单位"},
        api_update=lambda o: {"name": o.name + "改", "version": o.version},
    ),
}

# Where each personal field is shown (see test_matrix's personal fields).
PERSONAL_FIELDS = {
    ("person", "mobile"): ("service", "page", "api", "admin"),
    ("person", "email"): ("service", "admin"),
    ("person", "photo"): ("service", "api", "admin"),
}

# Where an object of the resource sits out of sight, nearest first, by the level of the one it stands for.
FOREIGN_KEYS = {
    "place": {"grid": ["G3", "G4"], "community": ["C3", "C4"], "street": ["S2", "S3"], "district": ["D2"]},
    "person": ["G3", "C3", "S2", "G4", "C4", "S3", "D2"],
    "department": ["D2"],
}


def _appoint_staff(world, p):
    return {"user": fresh_user().pk, "role": "department_staff", "place": p.pk,
            "department": world.cast.departments[f"chengguan@{key_of(world, p)}"].pk, "work_phone": "", "duties": ""}


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
]
