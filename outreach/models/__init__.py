"""outreach's data, one module per area: party organisations and members (party.py), events and their organisers
(events.py), volunteer organisations and volunteers (volunteers.py), hours (hours.py), certificates (certs.py),
the lecturers' pool (lecturers.py), party life: 三会一课 and 主题党日 (party_life.py)."""

from .certs import (  # noqa: F401
    AgentClass,
    Certificate,
    CertificateCounter,
    CertificateVerification,
    CertifiedHours,
    CertifiedRecord,
)
from .events import AudienceCount, Event, EventKind, EventPhoto, EventStatus  # noqa: F401
from .hours import REVIEW_FLAGS, HoursFlag, HoursKind, HoursStatus, ServiceRecord, as_hours  # noqa: F401
from .lecturers import (  # noqa: F401
    Lecturer,
    LecturerKind,
    LecturerTopic,
    LessonRating,
    LessonRequest,
    RequestSource,
    RequestStatus,
)
from .party import (  # noqa: F401
    LEVELS_FOR,
    PARTY_LEVELS,
    REGISTERED_ONCE,
    OrganizationKind,
    PartyMember,
    PartyOrganization,
)
from .party_life import (  # noqa: F401
    CADENCE,
    KINDS_FOR,
    ON_TIME_KINDS,
    SANHUI_YIKE,
    BranchMeeting,
    MeetingAttendance,
    MeetingKind,
    MeetingState,
    period_for,
)
from .volunteers import Volunteer, VolunteerMembership, VolunteerOrganization  # noqa: F401
