"""Check-ins at a party organisation's own events (a 主题党日, a branch meeting): the member's check-in is their
attendance and 双报到 record, never hours; a volunteer at a party event marked as service gets hours once, recorded
by their own volunteer organisation (谁组织谁记录). Same evidence as for hours: the code, the window, the position.

Hand-worked in November 2026 (the check-ins pass their moment; the meetings are the branch's 2026-11 rows)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grids import services as grid_services
from grids.models import Role
from outreach import selectors, services
from outreach.models import (
    BranchMeeting,
    Event,
    EventKind,
    EventStatus,
    HoursStatus,
    MeetingAttendance,
    MeetingKind,
    ServiceRecord,
)
from tests.outreach.hours_fixtures import VENUE, at, organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(cast):
    """第3网格党支部 under 董庄社区 (C1): 甲 (a member only), 乙 (a member and a volunteer of the C1 organisation)."""
    grid = grid_services.place_create(actor=cast.admin, parent=cast.place("C1"), name="第3网格")
    branch = services.party_org_create(actor=cast.admin, place=grid, kind="branch", name="第3网格党支部")
    for name, mobile in (("甲", "13711110001"), ("乙", "13711110002")):
        services.party_member_register(actor=cast.admin, organization=branch, name=name, mobile=mobile,
                                       registered_on=datetime.date(2024, 1, 1), workplace="区教育局机关党支部")
    return branch


@pytest.fixture
def volunteer_yi(cast, branch):
    person = services.volunteer_register(actor=cast.admin, home=branch.place, name="乙", mobile="13711110002")
    services.volunteer_join(actor=cast.admin, volunteer=person, organization=organization(cast),
                            joined_on=datetime.date(2026, 1, 1))
    return person


def party_event(branch, *, kind=EventKind.PARTY_DAY, counts_as_service=False, starts=None, hours=2) -> Event:
    starts = starts or at(20, 9)
    return Event.objects.create(
        kind=kind, title="主题党日：清洁家园", status=EventStatus.PUBLISHED, venue=branch.place, lng=VENUE[0],
        lat=VENUE[1], starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours), party_organization=branch,
        counts_as_service=counts_as_service)


def member_in(event, mobile, now, point=VENUE):
    return services.volunteer_check_in(code=services.checkin_code(event, now=now), mobile=mobile,
                                       device=services.device_hash(mobile), lng=point[0] if point else None,
                                       lat=point[1] if point else None, now=now)


def member_out(event, mobile, now, point=VENUE):
    return services.volunteer_check_out(code=services.checkin_code(event, now=now), mobile=mobile,
                                        lng=point[0] if point else None, lat=point[1] if point else None, now=now)


def party_day_of(branch) -> BranchMeeting:
    return BranchMeeting.objects.get(organization=branch, kind=MeetingKind.PARTY_DAY, period="2026-11")


def test_a_member_checking_in_at_a_party_day_gets_attendance_and_the_dual_record_but_no_hours(cast, branch):
    event = party_event(branch)
    first = member_in(event, "13711110001", at(20, 8, 45))
    assert isinstance(first, services.Presence) and first.meetings == 1
    # A retry (a double tap, a weak signal) finds the first: one row, its first time.
    again = member_in(event, "13711110001", at(20, 9, 10))
    assert again.checked_in_at == at(20, 8, 45)
    row = MeetingAttendance.objects.get(meeting=party_day_of(branch))
    assert (row.member.name, row.present, row.checked_in_at) == ("甲", True, at(20, 8, 45))
    # Check-out: the first stands.
    assert member_out(event, "13711110001", at(20, 11)).checked_out_at == at(20, 11)
    assert member_out(event, "13711110001", at(20, 11, 5)).checked_out_at == at(20, 11)
    assert not ServiceRecord.objects.exists()
    # The secretary finds 甲 ticked; recorded, the 双报到 year and the workplace's return count it once.
    meeting = party_day_of(branch)
    assert {r["member"].name for r in selectors.meeting_members(meeting) if r["present"]} == {"甲"}
    services.branch_meeting_record(actor=cast.admin, meeting=meeting, held_on=datetime.date(2026, 11, 20),
                                   minutes="清洁家园，学习党章。", present=[branch.members.get(name="甲")],
                                   event=event)
    year = selectors.participation(list(branch.members.all()), datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
    assert {m.name: r.attended for m, r in ((branch.members.get(pk=pk), r) for pk, r in year.items())} == {
        "甲": 1, "乙": 0}
    assert MeetingAttendance.objects.get(meeting=meeting).checked_in_at == at(20, 8, 45)


def test_a_volunteer_member_at_a_party_day_not_marked_as_service_gets_no_hours(cast, branch, volunteer_yi):
    event = party_event(branch)
    result = member_in(event, volunteer_yi.mobile, at(20, 9))
    assert isinstance(result, services.Presence)
    assert not ServiceRecord.objects.exists()
    assert list(MeetingAttendance.objects.values_list("member__name", flat=True)) == ["乙"]


def test_a_volunteer_at_a_service_marked_party_event_gets_hours_once_recorded_by_their_organisation(
        cast, branch, volunteer_yi):
    event = party_event(branch, counts_as_service=True)
    record = member_in(event, volunteer_yi.mobile, at(20, 9))
    assert record.organization == organization(cast)  # 谁组织谁记录: the volunteer's own organisation records it
    assert member_in(event, volunteer_yi.mobile, at(20, 9, 30)).pk == record.pk
    out = member_out(event, volunteer_yi.mobile, at(20, 10, 30))
    assert (out.pk, out.minutes, out.hours) == (record.pk, 90, 1.5)
    services.hours_countersign(actor=cast.admin, record=out)
    assert ServiceRecord.objects.get().status == HoursStatus.VERIFIED
    assert ServiceRecord.objects.count() == 1
    # The same check-in is 乙's attendance too: one act, both records.
    row = MeetingAttendance.objects.get(meeting=party_day_of(branch))
    assert (row.member.name, row.checked_in_at, row.checked_out_at) == ("乙", at(20, 9), at(20, 10, 30))


def test_a_volunteer_of_no_organisation_there_gets_no_hours_and_a_stranger_is_refused(cast, branch):
    event = party_event(branch, counts_as_service=True)
    loner = services.volunteer_register(actor=cast.admin, home=cast.place("G1"), name="丙", mobile="13911110003")
    with pytest.raises(ValidationError, match="无需签到"):
        member_in(event, loner.mobile, at(20, 9))
    with pytest.raises(ValidationError, match="未登记为党员或志愿者"):
        member_in(event, "13911119999", at(20, 9))
    assert not ServiceRecord.objects.exists() and not MeetingAttendance.objects.exists()


@pytest.mark.parametrize(("now", "point", "message"), [
    (at(20, 8, 0), VENUE, "签到码无效或已过期"),
    (at(20, 11, 1), VENUE, "不在签到时间内"),
    (at(20, 9), (113.2, 34.7), "超出"),
])
def test_the_same_evidence_rules_hold_for_members(cast, branch, now, point, message):
    event = party_event(branch)
    with pytest.raises(ValidationError, match=message):
        member_in(event, "13711110001", now, point=point)
    assert not MeetingAttendance.objects.exists()


def test_a_branch_meeting_event_not_yet_linked_credits_nothing_and_says_so(cast, branch):
    event = party_event(branch, kind=EventKind.BRANCH_MEETING)
    with pytest.raises(ValidationError, match="没有可记入的组织生活会议"):
        member_in(event, "13711110001", at(20, 9))
    with pytest.raises(ValidationError, match="还没有在本活动签到"):
        member_out(event, "13711110001", at(20, 10))
    assert not MeetingAttendance.objects.exists()


def test_a_volunteer_organisations_event_still_refuses_a_member_who_is_no_volunteer(cast, branch):
    from tests.outreach.hours_fixtures import event as volunteer_event

    lecture = volunteer_event(cast, organization(cast), starts=at(20, 9))
    with pytest.raises(ValidationError, match="未注册为志愿者"):
        member_in(lecture, "13711110001", at(20, 9))


def test_the_phone_page_checks_a_member_in_and_the_branch_sees_them(client, cast, branch, settings):
    event = party_event(branch, starts=timezone.now() - datetime.timedelta(hours=1))
    page = client.post(reverse("outreach_hours:check_in"), {"code": services.checkin_code(event),
                                                            "mobile": "13711110001", "act": "in"}, follow=True)
    assert "已记入组织生活出勤" in page.content.decode()
    client.force_login(cast.admin)
    detail = client.get(reverse("outreach_events:detail", args=[event.pk]))
    assert reverse("outreach_hours:attendance", args=[event.pk]) in detail.content.decode()
    attendance = client.get(reverse("outreach_hours:attendance", args=[event.pk]))
    assert attendance.status_code == 200
    body = attendance.content.decode()
    assert "data-member-check-ins" in body and "甲" in body


def test_a_department_does_not_see_a_party_events_attendance(client, cast, branch):
    event = party_event(branch)
    client.force_login(cast.user(Role.DEPARTMENT_STAFF))
    assert client.get(reverse("outreach_hours:attendance", args=[event.pk])).status_code == 404


def test_check_out_without_check_in_is_refused(cast, branch):
    event = party_event(branch)
    with pytest.raises(ValidationError, match="还没有在本活动签到"):
        member_out(event, "13711110001", at(20, 10))


def test_each_volunteers_hours_at_a_party_event_are_signed_one_by_one(client, cast, branch, volunteer_yi):
    event = party_event(branch, counts_as_service=True)
    member_in(event, volunteer_yi.mobile, at(20, 9))
    record = member_out(event, volunteer_yi.mobile, at(20, 11))
    client.force_login(cast.admin)
    sign = reverse("outreach_hours:countersign", args=[event.pk])
    page = client.get(reverse("outreach_hours:attendance", args=[event.pk])).content.decode()
    assert f'name="record" value="{record.pk}"' in page and 'name="all"' not in page
    assert client.post(sign, {"all": "1"}).status_code == 403
    client.post(sign, {"record": record.pk})
    record.refresh_from_db()
    assert (record.status, record.hours) == (HoursStatus.VERIFIED, 2.0)
