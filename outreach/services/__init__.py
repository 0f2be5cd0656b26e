"""outreach's writes, one module per area; callers use `outreach.services.<function>`."""

from .party import *  # noqa: F401,F403
from .party_life import *  # noqa: F401,F403
