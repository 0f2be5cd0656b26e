"""Party life (三会一课, 主题党日, 双报到): the calendar made ahead, states from dates, attendance only of members,
the participation record read by every view, the quarterly return to the workplaces, and the on-time measure.

Hand-worked in a past year (2025), so that no date depends on the day the tests run."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grids import services as grid_services
from grids.models import Role
from outreach import selectors, services
from outreach.models import (
    BranchMeeting,
    Event,
    EventKind,
    HoursKind,
    HoursStatus,
    MeetingAttendance,
    MeetingKind,
    MeetingState,
    PartyMember,
    PartyOrganization,
    ServiceRecord,
    Volunteer,
    VolunteerOrganization,
)
from wudu.errors import Conflict
from wudu.measures import Period

NOV = datetime.date(2025, 11, 15)
Q4 = Period.quarter(2025, 4)


def org(cast, key: str) -> PartyOrganization:
    return PartyOrganization.objects.get(place=cast.place(key))


def member(cast, key: str) -> PartyMember:
    return PartyMember.objects.get(organization__place=cast.place(key))


def meeting(cast, key: str, kind: str, period: str) -> BranchMeeting:
    return BranchMeeting.objects.get(organization__place=cast.place(key), kind=kind, period=period)


def schedule_2025(cast, months=(11, 12)) -> None:
    orgs = list(PartyOrganization.objects.filter(place__in=[cast.place(k) for k in ("G1", "G1b", "G2", "G3")]))
    for month in months:
        services.branch_meetings_schedule(day=datetime.date(2025, month, 1), organizations=orgs)


def record(cast, m: BranchMeeting, held_on: datetime.date, present=None, **extra) -> BranchMeeting:
    present = [PartyMember.objects.filter(organization=m.organization).first()] if present is None else present
    return services.branch_meeting_record(actor=cast.user(Role.INSTRUCTOR) if m.organization.place == cast.place("G1")
                                          else cast.admin, meeting=m, held_on=held_on, minutes="学习党章，讨论议题。",
                                          present=present, **extra)


@pytest.fixture
def branch(cast):
    """A 党支部 (a branch holds all five kinds) on a new grid of 董庄 C1, with two members."""
    grid = grid_services.place_create(actor=cast.admin, parent=cast.place("C1"), name="第3网格")
    organization = services.party_org_create(actor=cast.admin, place=grid, kind="branch", name="第3网格党支部")
    for name, mobile in (("甲", "13711110001"), ("乙", "13711110002")):
        services.party_member_register(actor=cast.admin, organization=organization, name=name, mobile=mobile,
                                       registered_on=datetime.date(2024, 1, 1))
    return organization


# ---------------------------------------------------------------------------------------------- the calendar


def test_a_new_organisation_gets_this_month_and_quarter_at_once(cast, branch):
    today = timezone.localdate()
    periods = set(BranchMeeting.objects.filter(organization=branch).values_list("kind", "period"))
    month, quarter = f"{today:%Y-%m}", Period.quarter(today.year, (today.month - 1) // 3 + 1).key
    assert periods == {("assembly", quarter), ("committee", month), ("group", month), ("lesson", quarter),
                       ("party_day", month)}


def test_the_schedule_is_idempotent_and_dates_each_meeting_at_its_period_end(cast, branch):
    assert services.branch_meetings_schedule(day=NOV, organizations=[branch]) == 5
    assert services.branch_meetings_schedule(day=NOV, organizations=[branch]) == 0  # twice: nothing twice
    # December: three new monthly meetings; the quarter's assembly and lesson exist already
    assert services.branch_meetings_schedule(day=datetime.date(2025, 12, 31), organizations=[branch]) == 3
    due = dict(BranchMeeting.objects.filter(organization=branch, period__in=["2025-11", "2025-Q4"])
               .values_list("kind", "due_on"))
    assert due == {"assembly": datetime.date(2025, 12, 31), "lesson": datetime.date(2025, 12, 31),
                   "committee": datetime.date(2025, 11, 30), "group": datetime.date(2025, 11, 30),
                   "party_day": datetime.date(2025, 11, 30)}


def test_a_year_of_a_branch_is_32_sanhui_yike_and_12_party_days(cast, branch):
    for month in range(1, 13):
        services.branch_meetings_schedule(day=datetime.date(2025, month, 10), organizations=[branch])
    kinds = list(BranchMeeting.objects.filter(organization=branch, due_on__year=2025).values_list("kind", flat=True))
    assert {k: kinds.count(k) for k in set(kinds)} == {"assembly": 4, "committee": 12, "group": 12, "lesson": 4,
                                                       "party_day": 12}


def test_a_party_group_holds_no_committee_nor_assembly(cast):
    schedule_2025(cast, months=(11,))
    assert set(BranchMeeting.objects.filter(organization=org(cast, "G1"), due_on__year=2025)
               .values_list("kind", flat=True)) == {"group", "lesson", "party_day"}


def test_the_daily_task_schedules_every_organisation(cast, settings):
    from outreach.tasks import branch_meetings_schedule_task

    assert settings.CELERY_BEAT_SCHEDULE["branch-meetings"]["task"] == "outreach.tasks.branch_meetings_schedule_task"
    # the cast's five grid groups and three community committees, three kinds each
    assert branch_meetings_schedule_task("2025-11-03") == (5 + 3) * 3
    assert branch_meetings_schedule_task("2025-11-20") == 0


# ---------------------------------------------------------------------------------------------- states


def test_a_meeting_is_due_until_its_date_then_overdue_until_held(cast):
    schedule_2025(cast)
    m = meeting(cast, "G1", MeetingKind.GROUP, "2025-11")
    assert m.state(datetime.date(2025, 11, 30)) == MeetingState.DUE
    assert m.state(datetime.date(2025, 12, 1)) == MeetingState.OVERDUE
    assert BranchMeeting.objects.overdue(datetime.date(2025, 12, 1)).filter(pk=m.pk).exists()
    record(cast, m, datetime.date(2025, 12, 3))  # held late: held, not on time
    m.refresh_from_db()
    assert m.state(datetime.date(2025, 12, 5)) == MeetingState.HELD and not m.on_time
    assert not BranchMeeting.objects.overdue(datetime.date(2025, 12, 5)).filter(pk=m.pk).exists()


# ---------------------------------------------------------------------------------------------- the record


def test_attendance_only_of_the_organisations_members_and_nothing_half_saved(cast):
    schedule_2025(cast)
    m = meeting(cast, "G1", MeetingKind.GROUP, "2025-11")
    with pytest.raises(ValidationError) as error:
        record(cast, m, datetime.date(2025, 11, 20), present=[member(cast, "G1"), member(cast, "G1b")])
    assert "只能登记本党组织的党员" in str(error.value)
    m.refresh_from_db()
    assert m.held_on is None and m.version == 1 and not MeetingAttendance.objects.filter(meeting=m).exists()


@pytest.mark.parametrize("held_on, message", [
    (None, "请填写召开日期"),
    (datetime.date(2025, 10, 31), "不能早于该期间的开始"),
])
def test_a_held_date_inside_the_period_and_not_in_the_future(cast, held_on, message):
    schedule_2025(cast)
    with pytest.raises(ValidationError, match=message):
        record(cast, meeting(cast, "G1", MeetingKind.GROUP, "2025-11"), held_on)


def test_a_meeting_cannot_be_held_tomorrow(cast):
    m = BranchMeeting.objects.filter(organization=org(cast, "G1")).first()  # this period's, made with the cast
    with pytest.raises(ValidationError, match="不能晚于今天"):
        record(cast, m, timezone.localdate() + datetime.timedelta(days=1))


def test_no_attendance_or_no_minutes_is_refused(cast):
    schedule_2025(cast)
    m = meeting(cast, "G1", MeetingKind.GROUP, "2025-11")
    with pytest.raises(ValidationError, match="请勾选出席的党员"):
        record(cast, m, datetime.date(2025, 11, 20), present=[])
    with pytest.raises(ValidationError, match="请填写会议记录"):
        services.branch_meeting_record(actor=cast.admin, meeting=m, held_on=datetime.date(2025, 11, 20),
                                       minutes="  ", present=[member(cast, "G1")])


def test_a_correction_is_versioned_and_replaces_the_attendance(cast, branch):
    services.branch_meetings_schedule(day=NOV, organizations=[branch])
    m = BranchMeeting.objects.get(organization=branch, kind="committee", period="2025-11")
    first, second = PartyMember.objects.filter(organization=branch).order_by("name")
    services.branch_meeting_record(actor=cast.admin, meeting=m, held_on=datetime.date(2025, 11, 10), minutes="一",
                                   present=[first], absent={second.pk: "出差"})
    assert {(a.member_id, a.present, a.absence_reason) for a in m.attendance.all()} == {
        (first.pk, True, ""), (second.pk, False, "出差")}
    services.branch_meeting_record(actor=cast.admin, meeting=m, held_on=datetime.date(2025, 11, 10), minutes="二",
                                   present=[first, second], expected_version=2)
    assert {(a.member_id, a.present) for a in m.attendance.all()} == {(first.pk, True), (second.pk, True)}
    with pytest.raises(Conflict):  # a stale form
        services.branch_meeting_record(actor=cast.admin, meeting=m, held_on=datetime.date(2025, 11, 11),
                                       minutes="三", present=[first], expected_version=2)
    m.refresh_from_db()
    assert (m.minutes, m.version) == ("二", 3)


def test_a_grid_worker_does_not_record_meetings(cast):
    schedule_2025(cast)
    with pytest.raises(PermissionDenied):
        services.branch_meeting_record(actor=cast.user(Role.GRID_WORKER),
                                       meeting=meeting(cast, "G1", MeetingKind.GROUP, "2025-11"),
                                       held_on=datetime.date(2025, 11, 20), minutes="记录", present=[member(cast, "G1")])


# ---------------------------------------------------------------------------------------------- 双报到


def _party_day_event(cast, organization, day: datetime.date, title="主题党日") -> Event:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return Event.objects.create(kind=EventKind.PARTY_DAY, title=title, venue=organization.place, starts_at=start,
                                ends_at=start + datetime.timedelta(hours=2), party_organization=organization,
                                status="held")


def _hours(volunteer, vorg, event, minutes, status=HoursStatus.VERIFIED) -> ServiceRecord:
    return ServiceRecord.objects.create(volunteer=volunteer, organization=vorg, event=event, kind=HoursKind.SERVICE,
                                        status=status, checked_in_at=event.starts_at, minutes=minutes)


def test_one_activity_credits_attendance_hours_and_the_dual_registration_record_once(cast):
    """The 主题党日 entered as an Event is the meeting's event: the member present there attended one meeting and
    one event, and their check-in at the same event adds hours, not a second event."""
    schedule_2025(cast)
    organization, person = org(cast, "G1"), member(cast, "G1")
    day = datetime.date(2025, 11, 8)
    event = _party_day_event(cast, organization, day)
    lecture = _party_day_event(cast, organization, datetime.date(2025, 11, 22), title="垃圾分类宣讲")
    services.branch_meeting_record(actor=cast.user(Role.INSTRUCTOR),
                                   meeting=meeting(cast, "G1", MeetingKind.PARTY_DAY, "2025-11"), held_on=day,
                                   minutes="重温入党誓词，清理楼道。", present=[person], event=event)
    vorg = VolunteerOrganization.objects.create(place=cast.place("C1"), name="环保志愿服务队")
    volunteer = Volunteer.objects.create(home=cast.place("G1"), name=person.name, mobile=person.mobile,
                                         registered_on=datetime.date(2024, 1, 1))
    _hours(volunteer, vorg, event, 120)
    _hours(volunteer, vorg, lecture, 90)
    _hours(volunteer, vorg, _party_day_event(cast, organization, datetime.date(2025, 11, 29), "未确认"), 60,
           status=HoursStatus.PENDING)
    record_ = selectors.participation([person], datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))[person.pk]
    assert (record_.attended, record_.absent, record_.events_attended, record_.volunteer_hours) == (1, 0, 2, 3.5)


def test_an_event_of_another_organisation_or_date_is_not_the_same_activity(cast):
    schedule_2025(cast)
    m = meeting(cast, "G1", MeetingKind.PARTY_DAY, "2025-11")
    other = _party_day_event(cast, org(cast, "G1b"), datetime.date(2025, 11, 8))
    with pytest.raises(ValidationError, match="须由本党组织主办"):
        record(cast, m, datetime.date(2025, 11, 8), event=other)
    own = _party_day_event(cast, org(cast, "G1"), datetime.date(2025, 11, 9))
    with pytest.raises(ValidationError, match="须与关联活动的日期一致"):
        record(cast, m, datetime.date(2025, 11, 8), event=own)


def _workplace_members(cast):
    """Two members of 区教育局机关党支部 (one typed with stray spaces), one in G1 and one in G2; G1b's in another."""
    for key, workplace in (("G1", " 区教育局机关党支部 "), ("G2", "区教育局机关党支部"), ("G1b", "区人民医院党委")):
        person = member(cast, key)
        services.party_member_update(actor=cast.admin, member=person, workplace=workplace)


def test_the_quarterly_return_lists_each_workplace_member_with_their_quarter(cast):
    schedule_2025(cast)
    _workplace_members(cast)
    record(cast, meeting(cast, "G1", MeetingKind.GROUP, "2025-11"), datetime.date(2025, 11, 20))
    rows = selectors.workplace_return(cast.user(Role.DISTRICT_OFFICIAL), "区教育局机关党支部", Q4)
    assert [(r["member"].organization.place.code, r["due"], r["record"].attended) for r in rows] == [
        (cast.place("G1").code, 5, 1),  # Nov and Dec: group + party day each, the Q4 lesson
        (cast.place("G2").code, 5, 0),
    ]
    assert [w["workplace"] for w in selectors.workplaces(cast.user(Role.DISTRICT_OFFICIAL))] == [
        "区人民医院党委", "区教育局机关党支部"]
    # the community official of 董庄 C1 reads its own members only
    assert len(selectors.workplace_return(cast.user(Role.COMMUNITY_OFFICIAL), "区教育局机关党支部", Q4)) == 1


def test_the_quarterly_return_downloads_as_excel(cast, client, export_get):
    schedule_2025(cast)
    _workplace_members(cast)
    record(cast, meeting(cast, "G1", MeetingKind.GROUP, "2025-11"), datetime.date(2025, 11, 20))
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    response = export_get(client, reverse("party_life:return_xlsx"),
                          {"quarter": "2025-Q4", "workplace": "区教育局机关党支部"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "区教育局机关党支部" in rows[0][0] and "2025年第4季度" in rows[0][0]
    assert rows[3][1:3] == ["G1党员", "G1党小组"] and rows[3][7:11] == [5, 1, 0, 0]
    assert rows[4][1] == "G2党员" and len(rows) == 5


# ---------------------------------------------------------------------------------------------- the measure


def test_the_on_time_rate_per_community_hand_worked(cast):
    """November 2025 in 新兴街道 S1: due are the three group meetings (G1, G1b of 董庄 C1; G2 of 健康 C2; the Q4
    lessons fall due in December, party days are not 三会一课). G1 held on the 20th (on time), G1b on 3 December
    (late), G2 never: C1 1/2, C2 0/1, S1 1/3. The fourth quarter per grid: Oct (no row: the calendar began in
    November), Nov and Dec group meetings and the lesson = 3; G1 also holds December's meeting and the lesson on
    time: C1 3/6."""
    from bulletins import services as bulletin_services
    from bulletins.models import Kind

    schedule_2025(cast)
    record(cast, meeting(cast, "G1", MeetingKind.GROUP, "2025-11"), datetime.date(2025, 11, 20))
    record(cast, meeting(cast, "G1b", MeetingKind.GROUP, "2025-11"), datetime.date(2025, 12, 3))
    record(cast, meeting(cast, "G1", MeetingKind.PARTY_DAY, "2025-11"), datetime.date(2025, 11, 8))  # not counted
    bulletin = bulletin_services.bulletin_build(place=cast.place("S1"), period=Period.month(2025, 11),
                                                kind=Kind.BULLETIN, now=timezone.now())
    lines = {row["unit"]: row["figures"]["party.meetings_on_time"] for row in bulletin.snapshot["lines"]
             if "party.meetings_on_time" in row["figures"]}
    assert lines[cast.place("C1").code] == [1, 2]
    assert lines[cast.place("C2").code] == [0, 1]
    assert bulletin.snapshot["total"]["party.meetings_on_time"] == [1, 3]

    record(cast, meeting(cast, "G1", MeetingKind.GROUP, "2025-12"), datetime.date(2025, 12, 30))
    record(cast, meeting(cast, "G1", MeetingKind.LESSON, "2025-Q4"), datetime.date(2025, 12, 31))
    from bulletins.figures import measure_rows, numerator_rows
    from wudu import measures

    measure = measures.get("party.meetings_on_time")
    c1 = cast.place("C1").code
    assert (numerator_rows(measure, c1, Q4).count(), measure_rows(measure, c1, Q4).count()) == (3, 6)


# ---------------------------------------------------------------------------------------------- pages and API


def _fill(cast, n_months: int) -> None:
    organization = org(cast, "G1")
    for month in range(1, n_months + 1):
        services.branch_meetings_schedule(day=datetime.date(2025, month, 1), organizations=[organization])
        m = meeting(cast, "G1", MeetingKind.GROUP, f"2025-{month:02d}")
        record(cast, m, datetime.date(2025, month, 10))


@pytest.mark.parametrize("months", [2, 12])
def test_the_calendar_page_shows_each_state_in_constant_queries(cast, client, django_assert_max_num_queries, months):
    _fill(cast, months)
    client.force_login(cast.user(Role.INSTRUCTOR))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("party_life:calendar", args=[org(cast, "G1").pk]), {"year": 2025})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("text-bg-success") == months + 1  # each held meeting, and the legend
    assert "text-bg-danger" in html  # the unheld party days and lessons are overdue


@pytest.mark.parametrize("months", [2, 12])
def test_the_overview_lists_overdue_meetings_in_constant_queries(cast, client, django_assert_max_num_queries,
                                                                 months):
    _fill(cast, months)
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("party_life:meetings"), {"place": cast.place("S1").code})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows and all(r.current_state == MeetingState.OVERDUE for r in rows)
    c1 = next(row for row in response.context["children"] if row.place == cast.place("C1"))
    assert c1.overdue == BranchMeeting.objects.overdue().filter(
        organization__place__code__startswith=cast.place("C1").code).count()


def test_department_staff_are_not_offered_party_life(cast, client):
    client.force_login(cast.user(Role.DEPARTMENT_STAFF))
    assert client.get(reverse("party_life:meetings")).status_code == 403


@pytest.mark.parametrize("workplaces", [1, 6])
def test_the_returns_page_in_constant_queries(cast, client, django_assert_max_num_queries, workplaces):
    schedule_2025(cast)
    for i in range(workplaces):
        services.party_member_register(actor=cast.admin, organization=org(cast, "G1"), name=f"在职{i}",
                                       mobile=f"1371234{i:04d}", workplace="区教育局机关党支部" if i % 2 else f"单位{i}",
                                       registered_on=datetime.date(2024, 1, 1))
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("party_life:returns"), {"quarter": "2025-Q4", "workplace": "区教育局机关党支部"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == workplaces // 2


def test_the_record_page_records_a_meeting(cast, client):
    schedule_2025(cast)
    m = meeting(cast, "G1", MeetingKind.GROUP, "2025-11")
    client.force_login(cast.user(Role.INSTRUCTOR))
    url = reverse("party_life:record", args=[m.pk])
    assert client.get(url).status_code == 200
    person = member(cast, "G1")
    response = client.post(url, {"held_on": "2025-11-12", "minutes": "学习", "present": [], "version": 1,
                                 f"reason_{person.pk}": "生病"})
    assert response.status_code == 400 and "请勾选出席的党员" in response.content.decode()
    response = client.post(url, {"held_on": "2025-11-12", "minutes": "学习", "present": [person.pk], "version": 1})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.held_on == datetime.date(2025, 11, 12) and list(m.attendees.all()) == [person]


def test_the_api_records_and_filters_meetings(cast, client, django_assert_max_num_queries):
    schedule_2025(cast)
    m = meeting(cast, "G1", MeetingKind.GROUP, "2025-11")
    client.force_login(cast.user(Role.INSTRUCTOR))
    url = reverse("api:branch-meeting-detail", args=[m.pk])
    response = client.patch(url, {"held_on": "2025-11-12", "minutes": "学习", "present": [member(cast, "G1b").pk],
                                  "version": 1}, content_type="application/json")
    assert response.status_code == 400 and "只能登记本党组织的党员" in response.content.decode()
    response = client.patch(url, {"held_on": "2025-11-12", "minutes": "学习", "present": [member(cast, "G1").pk],
                                  "absent": [], "version": 1}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "held" and response.json()["attendance"][0]["present"] is True
    with django_assert_max_num_queries(8):
        listed = client.get(reverse("api:branch-meeting-list"), {"state": "overdue", "period": "2025-11"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows and all(r["state"] == "overdue" for r in rows) and m.pk not in {r["id"] for r in rows}


def test_the_demo_year_records_most_meetings_leaves_some_overdue_and_runs_once(cast):
    from outreach.demo_history import load_party_history

    today = datetime.date(2025, 12, 15)
    first = load_party_history(today=today)
    # the cast's 新兴街道 (groups G1, G1b, G2; committees C1, C2) and 丁庄社区 (group G3, committee C3): three kinds
    # each, a year of them: January to December, the monthly meetings (group or committee), lessons, party days
    assert first["meetings"] == 7 * (12 + 4 + 12)
    meetings = BranchMeeting.objects.filter(due_on__year=2025)
    assert meetings.held().count() == first["held"] > 0
    assert meetings.overdue(today).exists()
    assert load_party_history(today=today) == {"meetings": 0, "held": 0}


def test_a_patch_corrects_only_what_it_names_and_a_first_record_needs_everything(cast, client):
    schedule_2025(cast)
    m = meeting(cast, "G1", MeetingKind.GROUP, "2025-11")
    client.force_login(cast.user(Role.INSTRUCTOR))
    url = reverse("api:branch-meeting-detail", args=[m.pk])
    response = client.patch(url, {}, content_type="application/json")
    assert response.status_code == 400 and "请填写召开日期" in response.content.decode()
    record(cast, m, datetime.date(2025, 11, 12))
    response = client.patch(url, {"minutes": "补充：讨论楼院停车问题。", "version": 2}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["held_on"], body["minutes"], [a["member"] for a in body["attendance"]]) == (
        "2025-11-12", "补充：讨论楼院停车问题。", [member(cast, "G1").pk])


@pytest.mark.parametrize("months", [2, 12])
def test_a_members_year_page_in_constant_queries(cast, client, django_assert_max_num_queries, months):
    _fill(cast, months)
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("party_life:member", args=[member(cast, "G1").pk]), {"year": 2025})
    assert response.status_code == 200
    assert response.context["record"].attended == months and len(response.context["attendance"]) == months
