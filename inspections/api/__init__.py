"""inspections' REST API under /api/v1/, one module per area; each area registers its own routes."""

from . import findings, ladder, rechecks, rounds, tasks

AREAS = (rounds, findings, tasks, ladder, rechecks)


def register_routes(router) -> None:
    """inspections' endpoints (basenames are fixed: the scope matrix reverses them)."""
    for area in AREAS:
        area.register_routes(router)
