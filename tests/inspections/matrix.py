"""The inspections app's part of the scope matrix (tests/scope): rounds, findings, rectification tasks, the ladder's
documents and re-checks, one module per area (see tests/grids/matrix.py for what a part holds)."""

from __future__ import annotations

from tests.inspections import matrix_findings, matrix_ladder, matrix_rounds, matrix_tasks

AREAS = (matrix_rounds, matrix_findings, matrix_tasks, matrix_ladder)

DRIVERS = {key: driver for area in AREAS for key, driver in area.DRIVERS.items()}
PERSONAL_FIELDS = {key: value for area in AREAS for key, value in getattr(area, "PERSONAL_FIELDS", {}).items()}
FOREIGN_KEYS = {key: value for area in AREAS for key, value in getattr(area, "FOREIGN_KEYS", {}).items()}
ADMIN_RELATIONS = [relation for area in AREAS for relation in getattr(area, "ADMIN_RELATIONS", ())]


def populate(world) -> None:
    for area in AREAS:
        if hasattr(area, "populate"):
            area.populate(world)
