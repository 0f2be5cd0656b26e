"""outreach's writes, one module per area; callers use `outreach.services.<function>`."""

from .certs import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .hours import *  # noqa: F401,F403
from .lecturers import *  # noqa: F401,F403
from .party import *  # noqa: F401,F403
from .party_life import *  # noqa: F401,F403
