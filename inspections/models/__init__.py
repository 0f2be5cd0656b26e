"""inspections' data, one module per area: rounds, teams and coverage (rounds.py), findings and recurrences
(findings.py), rectification tasks, their steps and evidence (tasks.py), the escalation ladder's documents and the
reminders (ladder.py), re-checks (rechecks.py)."""

from .findings import (  # noqa: F401
    Category,
    Disclosure,
    Finding,
    FindingEvidence,
    FindingStatus,
    Recurrence,
    Severity,
)
from .ladder import Notice, NoticeCounter, Reminder, ReminderKind  # noqa: F401
from .rechecks import Recheck, RecheckDraw, RecheckResult  # noqa: F401
from .rounds import Coverage, Round, Team, TeamMember  # noqa: F401
from .tasks import (  # noqa: F401
    OPEN_STATUSES,
    EvidenceKind,
    Ladder,
    Rectification,
    TaskEvidence,
    TaskStatus,
    TaskStep,
)
