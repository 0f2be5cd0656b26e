"""outreach's REST API under /api/v1/, one module per area; each area registers its own routes."""

from . import certs, events, hours, lecturers, party, party_life

AREAS = (party, party_life, events, hours, certs, lecturers)


def register_routes(router) -> None:
    """outreach's endpoints (basenames are fixed: the scope matrix reverses them)."""
    for area in AREAS:
        area.register_routes(router)
