"""outreach's measures for the bulletins and rankings (docs/measures.md, "Outreach"), one module per area; importing
this package (wudu.measures finds it by name) registers them."""

from . import (
    events,  # noqa: F401
    hours,  # noqa: F401
    party,  # noqa: F401
)
