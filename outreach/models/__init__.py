"""outreach's data: party organisations and members (party.py), events and their organisers (events.py),
volunteer organisations and volunteers (volunteers.py), party life: 三会一课 and 主题党日 (party_life.py)."""

from .events import AudienceCount, Event, EventKind, EventStatus
from .hours import HoursKind, HoursStatus, ServiceRecord
from .party import OrganizationKind, PartyMember, PartyOrganization
from .party_life import (
    CADENCE,
    KINDS_FOR,
    SANHUI_YIKE,
    BranchMeeting,
    MeetingAttendance,
    MeetingKind,
    MeetingState,
    period_for,
)
from .volunteers import Volunteer, VolunteerMembership, VolunteerOrganization

__all__ = [
    "AudienceCount", "Event", "EventKind", "EventStatus", "HoursKind", "HoursStatus", "ServiceRecord", "OrganizationKind", "PartyMember", "PartyOrganization",
    "Volunteer", "VolunteerMembership", "VolunteerOrganization",
    "BranchMeeting", "CADENCE", "KINDS_FOR", "MeetingAttendance", "MeetingKind", "MeetingState", "SANHUI_YIKE",
    "period_for",
]
