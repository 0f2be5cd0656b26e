"""outreach's data: party organisations and members (party.py), events and their organisers (events.py),
volunteer organisations and volunteers (volunteers.py)."""

from .events import AudienceCount, Event, EventKind, EventPhoto, EventStatus
from .hours import HoursKind, HoursStatus, ServiceRecord
from .party import OrganizationKind, PartyMember, PartyOrganization
from .volunteers import Volunteer, VolunteerMembership, VolunteerOrganization

__all__ = [
    "AudienceCount", "Event", "EventKind", "EventPhoto", "EventStatus", "HoursKind", "HoursStatus", "ServiceRecord", "OrganizationKind", "PartyMember", "PartyOrganization",
    "Volunteer", "VolunteerMembership", "VolunteerOrganization",
]
