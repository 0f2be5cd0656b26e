"""outreach's REST API under /api/v1/, one module per area; each area registers its own routes."""

from . import party, party_life

AREAS = (party, party_life)


def register_routes(router) -> None:
    """outreach's endpoints (basenames are fixed: the scope matrix reverses them)."""
    for area in AREAS:
        area.register_routes(router)
