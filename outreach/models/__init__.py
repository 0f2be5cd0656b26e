"""outreach's data: party organisations and members (party.py), events and their organisers (events.py),
volunteer organisations and volunteers (volunteers.py)."""

from .certs import AgentClass, Certificate, CertificateCounter, CertificateVerification, CertifiedRecord  # noqa: F401
from .events import AudienceCount, Event, EventKind, EventStatus  # noqa: F401
from .hours import REVIEW_FLAGS, HoursFlag, HoursKind, HoursStatus, ServiceRecord  # noqa: F401
from .party import OrganizationKind, PartyMember, PartyOrganization  # noqa: F401
from .volunteers import Volunteer, VolunteerMembership, VolunteerOrganization  # noqa: F401

