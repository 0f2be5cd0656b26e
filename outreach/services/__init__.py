"""outreach's writes, one module per area; callers use `outreach.services.<function>`."""

from .events import *  # noqa: F401,F403
from .party import *  # noqa: F401,F403
