"""Models of the grids app: places and people (places.py); households, patrols and the ledger (ledger.py)."""

from .ledger import (
    DailyReport,
    FindingCategory,
    Household,
    HouseholdTag,
    Patrol,
    Site,
    SiteKind,
    SpotCheck,
    SpotCheckPhoto,
    Visit,
    VisitPhoto,
    VisitType,
    mask_id_number,
)
from .places import (
    CHILD_LEVEL,
    CODE_LENGTH,
    GRID_ROLES,
    PARENT_LEVEL,
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
    mobile_validator,
    phone_validator,
)

__all__ = [
    "DailyReport", "FindingCategory", "Household", "HouseholdTag", "Patrol", "Site", "SiteKind", "SpotCheck",
    "SpotCheckPhoto", "Visit", "VisitPhoto", "VisitType", "mask_id_number",
    "CHILD_LEVEL", "CODE_LENGTH", "GRID_ROLES", "PARENT_LEVEL", "ROLE_LEVEL", "SEGMENT_WIDTH", "Department", "GridPrefix", "Level",
    "Membership", "OutpostPartner", "PartnerKind", "Place", "Role", "User", "WuduUserManager", "mobile_validator", "phone_validator",
]
