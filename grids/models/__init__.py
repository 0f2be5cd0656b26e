"""Models of the grids app: places and people (places.py). Households, patrols and the ledger live in ledger/."""

from .places import (
    CHILD_LEVEL,
    CODE_LENGTH,
    GRID_ROLES,
    PARENT_LEVEL,
    PATROL_MINIMUM_MAX,
    ROLE_LEVEL,
    SEGMENT_WIDTH,
    Department,
    GridPrefix,
    Level,
    Membership,
    OutpostPartner,
    PartnerKind,
    Place,
    Role,
    User,
    WuduUserManager,
)

__all__ = [
    "CHILD_LEVEL", "CODE_LENGTH", "GRID_ROLES", "PARENT_LEVEL", "PATROL_MINIMUM_MAX", "ROLE_LEVEL", "SEGMENT_WIDTH", "Department", "GridPrefix", "Level",
    "Membership", "OutpostPartner", "PartnerKind", "Place", "Role", "User", "WuduUserManager",
]
