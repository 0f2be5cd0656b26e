"""inspections' Django admin, one module per area (importing them registers their model admins)."""

from . import findings, ladder, rechecks, rounds, tasks  # noqa: F401
