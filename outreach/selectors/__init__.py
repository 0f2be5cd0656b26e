"""outreach's reads, one module per area; callers use `outreach.selectors.<function>`."""

from .events import *  # noqa: F401,F403
from .party import *  # noqa: F401,F403
