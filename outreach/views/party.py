"""Pages of party life: the overview of a place's meetings (overdue first), a branch's calendar for a year, the record
of a meeting, a member's participation (双报到) and the quarterly returns to the workplaces. Parse, call, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grids.models import Level, Place
from grids.selectors import access_place
from wudu import export_views, scope
from wudu.measures import Period
from wudu.pages import page_query

from .. import exports, selectors, services
from ..forms import BranchMeetingRecordForm, WorkplaceReturnForm
from ..models import Event, MeetingKind, PartyMember, PartyOrganization
from ..services.party_life import EVENT_KINDS

STATES = [("overdue", _("已逾期")), ("due", _("待召开")), ("held", _("已召开")), ("all", _("全部"))]


def _require_reader(user) -> None:
    if not scope.reads(user, "branch_meeting"):
        raise PermissionDenied


def _home(user) -> Place:
    grant = scope.home_grant(user)
    if grant is not None:
        return access_place(user, grant.code, polygons=False)
    place = Place.objects.visible_to(user).filter(level=Level.DISTRICT).defer("boundary").order_by("code").first()
    if place is None:
        raise Http404
    return place


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


@login_required
@require_GET
def meetings(request):
    """A place's meetings: its child places with their overdue meetings, then the meetings themselves (overdue by
    default, oldest due first)."""
    _require_reader(request.user)
    code = request.GET.get("place", "")
    place = access_place(request.user, code, polygons=False) if code else _home(request.user)
    state = request.GET.get("state", "overdue")
    state = state if state in dict(STATES) else "overdue"
    today = timezone.localdate()
    children, totals = selectors.overdue_by_place(request.user, place, today)
    # The organisations of the place and of the places below it (a community's committee, a grid's branch).
    found = {org.place_id: org for org in PartyOrganization.objects.filter(
        place__in=[place, *(row.place for row in children)])}
    own_org = found.get(place.pk)
    orgs = {place_id: org.pk for place_id, org in found.items()}
    # Without a place asked for, the list is every meeting the user reads (the table above is their home place's).
    rows, cursor = selectors.meetings_page(request.user, after=request.GET.get("after", ""), place_code=code and place.code,
                                           state="" if state == "all" else state, today=today)
    return render(request, "outreach/party/meetings.html", {
        "place": place, "children": children, "totals": totals, "orgs": orgs, "own_org": own_org, "rows": rows,
        "next": cursor, "query": page_query(request), "state": state, "states": STATES,
    })


@login_required
@require_GET
def calendar(request, pk: int):
    """A branch's calendar for a year: month by month, each meeting due, held or overdue."""
    _require_reader(request.user)
    organization = selectors.access_party_org(request.user, pk)
    year = _year(request)
    months = selectors.branch_calendar(request.user, organization, year)
    members = list(PartyMember.objects.visible_to(request.user).filter(organization=organization)
                   .order_by("name", "id"))
    return render(request, "outreach/party/calendar.html", {
        "organization": organization, "place": organization.place, "year": year, "months": months,
        "members": members, "kinds": MeetingKind.choices, "today": timezone.localdate(),
        "can_record": scope.can_write_code(request.user, "branch_meeting", organization.place.code),
    })


@login_required
@require_http_methods(["GET", "POST"])
def record(request, pk: int):
    """A meeting: its record, and the form that records it as held (or corrects the record)."""
    meeting = selectors.access_branch_meeting(request.user, pk)
    can_record = scope.can_change(request.user, meeting, "branch_meeting")
    members = list(PartyMember.objects.filter(organization_id=meeting.organization_id).order_by("name", "id"))
    events = list(Event.objects.filter(party_organization_id=meeting.organization_id,
                                       kind__in=EVENT_KINDS[meeting.kind],
                                       starts_at__date__gte=meeting.period_start - datetime.timedelta(days=1))
                  .order_by("-starts_at")[:20])
    attendance = selectors.meeting_members(meeting)
    initial = {"held_on": meeting.held_on or timezone.localdate(), "minutes": meeting.minutes,
               "present": [row["member"].pk for row in attendance if row["present"]], "event": meeting.event_id,
               "version": meeting.version,
               **{f"reason_{row['member'].pk}": row["reason"] for row in attendance}}
    form = BranchMeetingRecordForm(request.POST if request.method == "POST" else None, initial=initial,
                                   members=members, events=events)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            by_pk = {m.pk: m for m in members}
            event = next((e for e in events if e.pk == data.get("event")), None)
            try:
                services.branch_meeting_record(
                    actor=request.user, meeting=meeting, held_on=data["held_on"], minutes=data["minutes"],
                    present=[by_pk[pk] for pk in data["present"]], absent=form.absences(), event=event,
                    expected_version=data["version"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已记录：%(meeting)s") % {"meeting": meeting})
                return redirect(f"{reverse('party_life:calendar', args=[meeting.organization_id])}"
                                f"?year={meeting.due_on.year}")
    return render(request, "outreach/party/record.html", {
        "meeting": meeting, "state": meeting.state(), "form": form, "attendance": attendance,
        "can_record": can_record,
        "rows": list(zip(form["present"], [form[f"reason_{m.pk}"] for m in members], strict=True)) if can_record else [],
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def member(request, pk: int):
    """A member's participation over a year (双报到): meetings attended and missed, events, volunteer hours."""
    _require_reader(request.user)
    party_member = selectors.access_party_member(request.user, pk)
    year = _year(request)
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    record_ = selectors.participation([party_member], start, end)[party_member.pk]
    attendance = list(party_member.attendance.filter(meeting__held_on__gte=start, meeting__held_on__lt=end)
                      .select_related("meeting").order_by("meeting__held_on", "meeting_id"))
    return render(request, "outreach/party/member.html", {
        "member": party_member, "year": year, "record": record_, "attendance": attendance})


@login_required
@require_GET
def returns(request):
    """The quarterly returns to the workplaces (双报到): each workplace with its members here, a table of one, and
    its Excel file (a job)."""
    _require_reader(request.user)
    data = request.GET.copy()
    data.setdefault("quarter", Period.last_closed(Period.QUARTER).key)
    form = WorkplaceReturnForm(data)
    rows, period = [], None
    if form.is_valid():
        period = form.cleaned_data["quarter"]
        if form.cleaned_data["workplace"]:
            rows = selectors.workplace_return(request.user, form.cleaned_data["workplace"], period)
    return render(request, "outreach/party/returns.html", {
        "form": form, "period": period, "workplaces": selectors.workplaces(request.user), "rows": rows,
        "workplace": form.cleaned_data.get("workplace", "") if form.is_valid() else "",
    }, status=200 if form.is_valid() else 400)


@login_required
@require_GET
def return_xlsx(request):
    _require_reader(request.user)
    form = WorkplaceReturnForm(request.GET)
    if not form.is_valid() or not form.cleaned_data["workplace"]:
        messages.error(request, _("请选择工作单位党组织和季度。"))
        return redirect("party_life:returns")
    period, workplace = form.cleaned_data["quarter"], form.cleaned_data["workplace"]
    return export_views.start(request, kind="outreach.workplace_return.xlsx",
                              params=exports.job_params(workplace, period),
                              label=exports.return_title(workplace, period))


