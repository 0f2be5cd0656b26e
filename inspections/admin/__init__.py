"""inspections' Django admin, one module per area (importing them registers their model admins)."""

from . import findings, rounds, tasks  # noqa: F401
