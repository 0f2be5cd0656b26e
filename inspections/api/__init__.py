"""inspections' REST API under /api/v1/, one module per area; each area registers its own routes."""

from . import findings, rounds, tasks

AREAS = (rounds, findings, tasks)


def register_routes(router) -> None:
    """inspections' endpoints (basenames are fixed: the scope matrix reverses them)."""
    for area in AREAS:
        area.register_routes(router)
