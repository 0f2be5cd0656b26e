"""The ledger app's part of the scope matrix (tests/scope): households, sites, patrols, visits, daily reports and
spot checks (see tests/grids/matrix.py for what a part holds)."""

from __future__ import annotations

import uuid

from django.utils import timezone

from ledger import services as ledger_services
from ledger.models import DailyReport, Household, Patrol, Site, SpotCheck, Visit
from ledger.reports import daily_report_build
from tests.scope import spec
from tests.scope.matrix import GRIDS_IN_ORDER, AdminRelation, Driver, at_grid, grid_anchor, new_key

LEDGER_WITH_API = ("service", "api")  # the ledger's own pages (patrol, ledger list) are tested in tests/ledger

DRIVERS = {
    "household": Driver(
        key="household", model=Household, admin_name="ledger_household", api_basename="household",
        anchor=grid_anchor, find=at_grid(Household), mutable_field="address", surfaces=spec.SURFACES,
        page_create=lambda world, p: {"address": "新住户路 1 号", "residents": 2, "idempotency_key": new_key()},
        page_update=lambda o: {"address": o.address + "改", "residents": o.residents, "version": o.version},
        admin_create=lambda world, p: {"grid": p.pk, "address": "新住户路 1 号", "residents": 2},
        admin_update=lambda o: {"address": o.address + "改", "residents": o.residents},
        api_create=lambda world, p: {"grid": p.code, "address": "新住户路 1 号"},
        api_update=lambda o: {"address": o.address + "改", "version": o.version},
    ),
    "site": Driver(
        key="site", model=Site, admin_name="ledger_site", api_basename="site", anchor=grid_anchor,
        find=at_grid(Site), surfaces=spec.SURFACES,
        page_create=lambda world, p: {"kind": "shop", "name": "新商铺", "idempotency_key": new_key()},
        admin_create=lambda world, p: {"grid": p.pk, "kind": "shop", "name": "新商铺"},
        api_create=lambda world, p: {"grid": p.code, "kind": "shop", "name": "新商铺"},
    ),
    "patrol": Driver(
        key="patrol", model=Patrol, admin_name="", api_basename="patrol", anchor=grid_anchor,
        find=at_grid(Patrol), surfaces=LEDGER_WITH_API,
        service_create=lambda world, actor, p: ledger_services.patrol_start(actor=actor, grid=p, client_id=uuid.uuid4()),
        api_create=lambda world, p: {"grid": p.code, "client_id": new_key()},
    ),
    "visit": Driver(
        key="visit", model=Visit, admin_name="", api_basename="visit", anchor=grid_anchor,
        find=at_grid(Visit), surfaces=LEDGER_WITH_API,
    ),
    "daily_report": Driver(
        key="daily_report", model=DailyReport, admin_name="", api_basename="daily-report",
        anchor=lambda target, mine, relation: target if spec.LEVEL[target] != "city" else None,
        find=lambda world, key: DailyReport.objects.get(place=world.cast.places[key]), surfaces=LEDGER_WITH_API,
    ),
    "spot_check": Driver(
        key="spot_check", model=SpotCheck, admin_name="", api_basename="spot-check", anchor=grid_anchor,
        find=at_grid(SpotCheck), surfaces=("service", "page", "api"),
        page_create=lambda world, p: {"checked_on": str(timezone.localdate()), "findings": "暗访", "score": "80",
                                      "idempotency_key": new_key()},
        api_create=lambda world, p: {"grid": p.code, "client_id": new_key(), "checked_on": str(timezone.localdate()),
                                     "findings": "暗访", "score": "80"},
        service_create=lambda world, actor, p: ledger_services.spot_check_record(
            actor=actor, grid=p, client_id=uuid.uuid4(), checked_on=timezone.localdate(), findings="暗访", score=80),
    ),
}


def populate(world) -> None:
    """At every grid a household, a shop, a witness's patrol with a visit, a spot check; the day's reports."""
    admin = world.cast.admin
    witnesses = world.witnesses
    for key in GRIDS_IN_ORDER:
        grid = world.cast.places[key]
        household = ledger_services.household_create(actor=admin, grid=grid, address=f"{key}路 1 号")
        ledger_services.site_create(actor=admin, grid=grid, kind="shop", name=f"{key}商铺")
        patrol = ledger_services.patrol_start(actor=witnesses[key], grid=grid, client_id=uuid.uuid4())
        ledger_services.visit_record(actor=witnesses[key], patrol=patrol, client_id=uuid.uuid4(),
                                     visit_type="household", household=household)
        ledger_services.spot_check_record(actor=admin, grid=grid, client_id=uuid.uuid4(),
                                          checked_on=timezone.localdate(), findings="在岗", score=90)
    daily_report_build(timezone.localdate())


ADMIN_RELATIONS = [
    AdminRelation("ledger_household", "grid", "add", "household", "place", ("grid",),
                  DRIVERS["household"].admin_create),
    AdminRelation("ledger_site", "grid", "add", "site", "place", ("grid",), DRIVERS["site"].admin_create),
]
