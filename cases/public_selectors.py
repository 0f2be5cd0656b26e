"""Reads behind residents' self-service and Open311: no login, no scope gate.

The tracking token is the resident's capability for their own case, and Open311 is public by design, so these
reads do not start from the scope gate. As in grids.public_selectors, the tracking page gets a plain dataclass
holding only what a resident may see: a template cannot leak a staff member's name, an internal note or the
resident's own mobile number that was never put into it.

Free text goes out only through `public_text` (wudu.redact): ID numbers, phone numbers, e-mails, door numbers
and recognisable names are masked on the tracking page too, the resident's own words and the staff's notes
alike, because a tracking link travels (forwarded, screenshotted, logged) and the page must not turn into a
leak when it does.

Open311 publishes what a public tracker needs and no more: residents' own requests (by the form or an Open311
client, never the cases staff entered: patrol reports, hotline calls, assignments, escalated visit findings,
which were never the public's to read), in categories residents may choose, never petitions; the category,
status, department and times; a redacted description; the place as street · community · grid names and the
grid's centre (never the typed address or the exact point, which locate a household). At most OPEN311_MAX rows
a call and a window of at most OPEN311_MAX_DAYS days: nobody pages through the whole history in a few calls.
"""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.public_selectors import public_index
from wudu.redact import redact

from . import workflow
from .models import FINISHED, Case, CaseCategory, CaseEvent, Evaluation, EvaluationChannel, Kind, Source, Status

OPEN311_MAX = 50
OPEN311_MAX_DAYS = 90
# Residents' own requests; what staff entered (patrol, hotline, assignments) is not the public's to read.
PUBLIC_SOURCES = (Source.RESIDENT, Source.OPEN311)


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
    evaluation_by_phone: bool = False  # taken down by staff on a call back, not given through the link
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
        address=public_text(case.address),
        description=public_text(case.description),
        department=case.department.name if case.department_id and case.dispatched_at else "",
        deadline=case.deadline if case.is_open else None,
        is_open=case.is_open,
        version=case.version,
        can_evaluate=can_evaluate,
        evaluation=evaluation,
        evaluation_label=str(Evaluation(evaluation).label) if evaluation else "",
        evaluation_comment=public_text(case.evaluation_comment or (last_verdict.note if last_verdict else "")),
        # A petitioner's 不满意 sent the petition back for another round.
        reopened=bool(last_verdict and not evaluation and case.is_open),
        evaluation_by_phone=case.evaluation_channel == EvaluationChannel.PHONE,
        timeline=timeline,
    )


def _entry(event: CaseEvent) -> TimelineEntry:
    # The resident submitted it: 提交 rather than the staff's 登记; a system event (a recount) by its own name.
    label = _("提交") if event.action == "create" else str(workflow.event_label(event.action))
    return TimelineEntry(
        label=label,
        at=event.at,
        note=public_text(event.note) if workflow.resident_sees_note(event.action) else "",
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


def open311_window(start: datetime.datetime | None, end: datetime.datetime | None, *,
                   now: datetime.datetime | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """The dates of one Open311 call: the last OPEN311_MAX_DAYS days by default; a start or an end alone reaches
    that far from it; a longer range is refused (ValueError with the reason)."""
    span = datetime.timedelta(days=OPEN311_MAX_DAYS)
    if start is None and end is None:
        end = now or timezone.now()
    if start is None:
        start = end - span
    elif end is None:
        end = start + span
    if end < start:
        raise ValueError(_("end_date 不能早于 start_date。"))
    if end - start > span:
        raise ValueError(_("每次最多查询 %(days)d 天：请缩小 start_date 到 end_date 的范围。") % {"days": OPEN311_MAX_DAYS})
    return start, end


def open311_requests(
    *, references: list[str] | None = None, statuses: set[str] | None = None, service_code: str = "",
    start: datetime.datetime | None = None, end: datetime.datetime | None = None, jurisdiction: str = "",
    now: datetime.datetime | None = None,
) -> list[Case]:
    """Public requests, newest first, at most OPEN311_MAX, in one query (see the module's docstring for what is
    public). As the GeoReport spec says, a list of ids overrides every other filter. A range longer than
    OPEN311_MAX_DAYS raises ValueError."""
    rows = (Case.objects.filter(source__in=PUBLIC_SOURCES, category__public=True).exclude(kind=Kind.PETITION)
            .select_related("category__department", "department", "grid__parent__parent")
            .order_by("-created_at", "-id"))
    if jurisdiction:
        rows = rows.filter(category__district__code=jurisdiction)
    if references is not None:
        return list(rows.filter(reference__in=references[:OPEN311_MAX])[:OPEN311_MAX])
    if statuses == {"open"}:
        rows = rows.open()
    elif statuses == {"closed"}:
        rows = rows.filter(status__in=FINISHED)
    if service_code:
        rows = rows.filter(category__code=service_code)
    start, end = open311_window(start, end, now=now)
    return list(rows.filter(created_at__gte=start, created_at__lte=end)[:OPEN311_MAX])


def public_text(text: str) -> str:
    """Free text as the public may read it: personal data masked (wudu.redact)."""
    return redact(text or "")


def public_place(grid) -> str:
    """Where a case is, as the public may know it: the street, community and grid names, never the address typed."""
    community = grid.parent if grid.parent_id else None
    street = community.parent if community is not None and community.parent_id else None
    return " · ".join(place.name for place in (street, community, grid) if place is not None)


def public_point(grid) -> tuple[float | None, float | None]:
    """(lat, lng) of the grid's centre, never the case's own point (which can single out a household)."""
    if grid.centroid_lat is None or grid.centroid_lng is None:
        return None, None
    return round(grid.centroid_lat, 4), round(grid.centroid_lng, 4)
