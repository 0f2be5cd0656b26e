"""The apps' parts of the scope matrix, collected: each module of `APPS` (tests/<app>/matrix.py) defines

    DRIVERS            {resource: Driver}: how to find, create and change one of its records (required)
    populate(world)    adds the records its drivers find to the world (optional)
    PERSONAL_FIELDS    {(resource, field): surfaces}: where a personal field is shown (optional)
    FOREIGN_KEYS       {resource: place keys}: where its objects sit out of sight, as foreign keys (optional)
    ADMIN_RELATIONS    [AdminRelation]: the foreign keys of its admin forms (optional)

in the order of `APPS`, which is also the order their parts are built and listed in.
"""

from __future__ import annotations

import importlib

from tests.scope.matrix import Driver, World, build_people, open_sessions, via_managed

APPS = ("tests.grids.matrix", "tests.ledger.matrix", "tests.outreach.matrix", "tests.cases.matrix", "tests.affairs.matrix", "tests.inspections.matrix",
        "tests.bulletins.matrix")
MODULES = [importlib.import_module(name) for name in APPS]


def _merged(name: str) -> dict:
    merged = {}
    for module in MODULES:
        for key, value in getattr(module, name, {}).items():
            assert key not in merged, f"{module.__name__}.{name}: {key!r} is defined twice"
            merged[key] = value
    return merged


DRIVERS: dict[str, Driver] = _merged("DRIVERS")
# Through the services, the foundation resources are written by the same functions the pages call.
for _name, _driver in list(DRIVERS.items()):
    if "page" in _driver.surfaces and _driver.page_create is not None and not _driver.page_create_url:
        DRIVERS[_name] = via_managed(_name, _driver)

PERSONAL_FIELDS: dict[tuple[str, str], tuple[str, ...]] = _merged("PERSONAL_FIELDS")
FOREIGN_KEYS: dict[str, list | dict] = _merged("FOREIGN_KEYS")
ADMIN_RELATIONS = [relation for module in MODULES for relation in getattr(module, "ADMIN_RELATIONS", ())]


def build_world(cast) -> World:
    """The world the matrix runs in: the cast, its witnesses and people with several roles, then each app's
    records (built once per worker by the `world` fixture, tests/scope/conftest.py)."""
    world = build_people(cast)
    for module in MODULES:
        populate = getattr(module, "populate", None)
        if populate is not None:
            populate(world)
    open_sessions(world)
    return world
