"""Reads behind residents' self-service and Open311: no login, no scope gate.

The tracking token is the resident's capability for their own case, and Open311 is public by design, so these
reads do not start from the scope gate. As in grids.public_selectors, the tracking page gets a plain dataclass
holding only what a resident may see: a template cannot leak a staff member's name, an internal note or the
resident's own mobile number that was never put into it.
"""

from __future__ import annotations

import datetime
import hmac
import re
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.public_selectors import public_index

from . import workflow
from .models import FINISHED, Case, CaseCategory, CaseEvent, Evaluation, Kind, Status

# Steps whose note the resident needs: the result, why it was cancelled, what the check found, their own verdict.
# Every other note (return reasons, extension reasons, internal opinions) stays inside.
RESIDENT_NOTES = {"feed_back", "cancel", "verify", "evaluate"}

OPEN311_MAX = 200
OPEN311_DEFAULT_DAYS = 90
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def public_categories() -> QuerySet[CaseCategory]:
    return (CaseCategory.objects.filter(public=True, active=True).select_related("district", "department")
            .order_by("district__code", "sort_order", "id"))


def grid_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grids for a <select>, grouped by street · community (one query)."""
    index = public_index()
    many = len(index.districts) > 1
    groups = []
    for district in index.districts:
        for street in district.streets:
            for community in street.communities:
                if not community.grids:
                    continue
                label = f"{street.name} · {community.name}"
                groups.append((f"{district.name} · {label}" if many else label,
                               [(g.code, g.name) for g in community.grids]))
    return groups


# ---------------------------------------------------------------------------------------------- tracking


@dataclass(frozen=True)
class TimelineEntry:
    label: str
    at: datetime.datetime
    note: str = ""
    department: str = ""


@dataclass(frozen=True)
class Tracking:
    """One case as its resident sees it through the private link."""

    reference: str
    category: str
    status: str
    status_label: str
    submitted_at: datetime.datetime
    grid: str
    community: str
    address: str
    description: str
    department: str
    deadline: datetime.datetime | None
    is_open: bool
    version: int
    can_evaluate: bool
    evaluation: str
    evaluation_label: str
    evaluation_comment: str
    reopened: bool
    timeline: list[TimelineEntry] = field(default_factory=list)


def case_for_token(token: str) -> Case:
    """The case behind a tracking link, or 404 (an unknown token and a wrong one look the same)."""
    case = (Case.objects.filter(tracking_token=token).select_related("category", "grid__parent", "department")
            .first() if token else None)
    if case is None or not hmac.compare_digest(case.tracking_token, token):
        raise Http404(_("没有找到这个办理记录，请检查链接是否完整。"))
    return case


def tracking(token: str) -> Tracking:
    """Two queries: the case with its category, grid, community and department; then its events."""
    case = case_for_token(token)
    events = list(CaseEvent.objects.filter(case=case).select_related("department").order_by("id"))
    timeline = [_entry(event) for event in events]
    verdicts = [event for event in events if event.action == "evaluate"]
    last_verdict = verdicts[-1] if verdicts else None
    can_evaluate = (case.status == Status.AWAITING_EVALUATION
                    or (case.status == Status.CLOSED and not case.evaluation))
    evaluation = case.evaluation
    return Tracking(
        reference=case.reference,
        category=case.category.name,
        status=case.status,
        status_label=case.get_status_display(),
        submitted_at=case.created_at,
        grid=case.grid.name,
        community=case.grid.parent.name if case.grid.parent_id else "",
        address=case.address,
        description=case.description,
        department=case.department.name if case.department_id and case.dispatched_at else "",
        deadline=case.deadline if case.is_open else None,
        is_open=case.is_open,
        version=case.version,
        can_evaluate=can_evaluate,
        evaluation=evaluation,
        evaluation_label=str(Evaluation(evaluation).label) if evaluation else "",
        evaluation_comment=case.evaluation_comment or (last_verdict.note if last_verdict else ""),
        # A petitioner's 不满意 sent the petition back for another round.
        reopened=bool(last_verdict and not evaluation and case.is_open),
        timeline=timeline,
    )


def _entry(event: CaseEvent) -> TimelineEntry:
    if event.action == "create":
        label = _("提交")
    else:
        step = workflow.STEPS.get(event.action)
        label = str(step.label) if step else event.action
    return TimelineEntry(
        label=label,
        at=event.at,
        note=event.note if event.action in RESIDENT_NOTES else "",
        department=event.department.name if event.action == "dispatch" and event.department_id else "",
    )


def token_for(reference: str, mobile: str) -> str | None:
    """The tracking token of the case with this reference submitted from this mobile, else None."""
    if not reference or not mobile:
        return None
    row = Case.objects.filter(reference=reference.strip(), resident_mobile=mobile).values_list(
        "tracking_token", flat=True).first()
    return row


# ---------------------------------------------------------------------------------------------- Open311


def open311_services(jurisdiction: str = "") -> QuerySet[CaseCategory]:
    rows = public_categories()
    return rows.filter(district__code=jurisdiction) if jurisdiction else rows


def open311_requests(
    *, references: list[str] | None = None, statuses: set[str] | None = None, service_code: str = "",
    start: datetime.datetime | None = None, end: datetime.datetime | None = None, jurisdiction: str = "",
    now: datetime.datetime | None = None,
) -> list[Case]:
    """Public requests, newest first, at most OPEN311_MAX, in one query.

    Only cases of categories residents may choose are public; petitions (信访) never are. As the GeoReport spec
    says, a list of ids overrides every other filter."""
    rows = (Case.objects.filter(category__public=True).exclude(kind=Kind.PETITION)
            .select_related("category__department", "department", "grid__parent").order_by("-created_at", "-id"))
    if jurisdiction:
        rows = rows.filter(category__district__code=jurisdiction)
    if references is not None:
        return list(rows.filter(reference__in=references[:OPEN311_MAX]))
    if statuses == {"open"}:
        rows = rows.open()
    elif statuses == {"closed"}:
        rows = rows.filter(status__in=FINISHED)
    if service_code:
        rows = rows.filter(category__code=service_code)
    if start is None and end is None:
        start = (now or timezone.now()) - datetime.timedelta(days=OPEN311_DEFAULT_DAYS)
    if start is not None:
        rows = rows.filter(created_at__gte=start)
    if end is not None:
        rows = rows.filter(created_at__lte=end)
    return list(rows[:OPEN311_MAX])


def mask_mobiles(text: str) -> str:
    """A resident who types a phone number into the description does not publish it: 138****5678."""
    return _MOBILE.sub(r"\1****\2", text)
