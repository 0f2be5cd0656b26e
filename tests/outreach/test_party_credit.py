"""Nothing entered twice: a party member's check-in at a 主题党日 (as a volunteer) is their attendance at their
branch's 主题党日 of the month, matched by mobile or by user account; retries and the secretary's record add
nothing twice."""

from __future__ import annotations

import datetime

import pytest

from grids import services as grid_services
from grids.models import Role
from outreach import selectors, services
from outreach.models import BranchMeeting, EventKind, MeetingAttendance, MeetingKind
from tests.outreach.hours_fixtures import at, check_in, check_out, event, organization, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(cast):
    grid = grid_services.place_create(actor=cast.admin, parent=cast.place("C1"), name="第3网格")
    branch = services.party_org_create(actor=cast.admin, place=grid, kind="branch", name="第3网格党支部")
    services.party_member_register(actor=cast.admin, organization=branch, name="甲", mobile="13711110001",
                                   registered_on=datetime.date(2024, 1, 1))
    services.party_member_register(actor=cast.admin, organization=branch, name="乙", mobile="13711110002",
                                   registered_on=datetime.date(2024, 1, 1), user=cast.user(Role.GRID_WORKER))
    return branch


def _present(meeting) -> set[str]:
    return set(MeetingAttendance.objects.filter(meeting=meeting, present=True).values_list("member__name", flat=True))


def test_checking_in_at_a_party_day_credits_the_members_attendance_once(cast, branch):
    org = organization(cast)
    party_day = event(cast, org, starts=at(20, 9), kind=EventKind.PARTY_DAY, counts_as_service=True,
                      title="主题党日：清洁家园")
    by_mobile = services.volunteer_register(actor=cast.admin, home=cast.place("G1"), name="甲",
                                            mobile="13711110001")
    by_user = services.volunteer_register(actor=cast.admin, home=cast.place("G1"), name="乙",
                                          mobile="13811112222", user=cast.user(Role.GRID_WORKER))
    not_a_member = volunteer(cast, "丙")
    for person in (by_mobile, by_user, not_a_member):
        check_in(party_day, person, at(20, 9), device=person.name)
    meeting = BranchMeeting.objects.get(organization=branch, kind=MeetingKind.PARTY_DAY, period="2026-11")
    assert _present(meeting) == {"甲", "乙"}
    # Retries and the check-out make nothing twice.
    check_in(party_day, by_mobile, at(20, 9, 5), device="甲")
    for person in (by_mobile, by_user):
        check_out(party_day, person, at(20, 11))
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 2
    # The secretary's form finds them ticked; recording the meeting keeps them, and the 双报到 record counts it.
    ticked = {row["member"].name for row in selectors.meeting_members(meeting) if row["present"]}
    assert ticked == {"甲", "乙"}
    services.branch_meeting_record(actor=cast.admin, meeting=meeting, held_on=datetime.date(2026, 11, 20),
                                   minutes="清洁家园，学习党章。", present=list(branch.members.all()))
    record = selectors.participation(list(branch.members.all()), datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
    assert sorted(r.attended for r in record.values()) == [1, 1]


def test_a_lecture_or_a_party_day_held_on_another_day_credits_nothing(cast, branch):
    org = organization(cast)
    meeting = BranchMeeting.objects.get(organization=branch, kind=MeetingKind.PARTY_DAY, period="2026-11")
    member = branch.members.get(name="甲")
    services.branch_meeting_record(actor=cast.admin, meeting=meeting, held_on=datetime.date(2026, 11, 5),
                                   minutes="学习党章。", present=[member])
    MeetingAttendance.objects.filter(meeting=meeting).delete()
    person = services.volunteer_register(actor=cast.admin, home=cast.place("G1"), name="甲", mobile="13711110001")
    lecture = event(cast, org, starts=at(20, 9))
    check_in(lecture, person, at(20, 9))
    later_day = event(cast, org, starts=at(21, 9), kind=EventKind.PARTY_DAY, counts_as_service=True)
    check_in(later_day, person, at(21, 9))
    assert not MeetingAttendance.objects.filter(meeting=meeting).exists()
