"""A community's own party organisation (社区党委 / 党总支) beside its grids' branches and groups: its calendar, who
keeps it, and figures that count each meeting and each member once at the community and above.

The cast: 董庄社区 (C1) has C1社区党委 with one cadre registered directly (C1社区党员); its grids G1 and G1b have a
党小组 each with one member. Hand-worked in November 2025 (the calendar) and November 2026 (the check-ins)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bulletins.figures import measure_rows, numerator_rows
from grids import services as grid_services
from grids.models import Role
from outreach import selectors, services
from outreach.models import BranchMeeting, EventKind, MeetingAttendance, MeetingKind, PartyMember, PartyOrganization
from tests.outreach.hours_fixtures import at
from tests.outreach.test_party_checkin import member_in, party_event
from wudu import measures
from wudu.measures import Period

pytestmark = pytest.mark.django_db

NOV = Period.month(2025, 11)


def org(cast, key: str) -> PartyOrganization:
    return PartyOrganization.objects.get(place=cast.place(key))


def meeting(cast, key: str, kind: str, period: str) -> BranchMeeting:
    return BranchMeeting.objects.get(organization__place=cast.place(key), kind=kind, period=period)


def schedule(cast, *keys, day=datetime.date(2025, 11, 1)) -> None:
    services.branch_meetings_schedule(day=day, organizations=[org(cast, key) for key in keys])


def held(cast, actor, m: BranchMeeting, on: datetime.date) -> BranchMeeting:
    present = [PartyMember.objects.filter(organization=m.organization).first()]
    return services.branch_meeting_record(actor=actor, meeting=m, held_on=on, minutes="研究网格党建工作。",
                                          present=present)


def test_a_community_committee_meets_monthly_and_gives_a_lesson_each_quarter(cast):
    for month in range(1, 13):
        schedule(cast, "C1", day=datetime.date(2025, month, 10))
    kinds = list(BranchMeeting.objects.filter(organization=org(cast, "C1"), due_on__year=2025)
                 .values_list("kind", flat=True))
    assert {k: kinds.count(k) for k in set(kinds)} == {"party_committee": 12, "lesson": 4, "party_day": 12}


def test_a_general_branch_meets_as_its_committee(cast):
    community = grid_services.place_create(actor=cast.admin, parent=cast.place("S1"), name="新社区")
    general = services.party_org_create(actor=cast.admin, place=community, kind="general_branch",
                                        name="新社区党总支")
    services.branch_meetings_schedule(day=datetime.date(2025, 11, 1), organizations=[general])
    assert set(general.meetings.filter(due_on__year=2025).values_list("kind", flat=True)) == {
        "gen_committee", "lesson", "party_day"}
    assert str(general.meetings.get(kind="gen_committee", period="2025-11").get_kind_display()) == "总支委员会"


def test_the_community_official_keeps_the_committees_meetings_a_grid_instructor_does_not(cast):
    schedule(cast, "C1")
    m = meeting(cast, "C1", MeetingKind.PARTY_COMMITTEE, "2025-11")
    with pytest.raises(PermissionDenied):
        held(cast, cast.user(Role.INSTRUCTOR), m, datetime.date(2025, 11, 12))
    assert held(cast, cast.user(Role.COMMUNITY_OFFICIAL), m, datetime.date(2025, 11, 12)).held_on == datetime.date(
        2025, 11, 12)


def test_the_on_time_rate_of_a_community_counts_its_own_meetings_and_its_grids_each_once(cast):
    """November 2025 in 董庄 C1: due are C1's committee meeting, G1's and G1b's group meetings (party days are not
    measured; the quarter's lessons fall due in December). C1's held on the 12th and G1's on the 20th (on time),
    G1b's on 3 December (late): 2 of 3. 新兴街道 S1 adds 健康 C2's committee and G2's group meeting, never held:
    2 of 5 — each meeting counted once, at its own community and at the street."""
    schedule(cast, "C1", "G1", "G1b", "C2", "G2")
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    held(cast, official, meeting(cast, "C1", MeetingKind.PARTY_COMMITTEE, "2025-11"), datetime.date(2025, 11, 12))
    held(cast, official, meeting(cast, "G1", MeetingKind.GROUP, "2025-11"), datetime.date(2025, 11, 20))
    held(cast, official, meeting(cast, "G1b", MeetingKind.GROUP, "2025-11"), datetime.date(2025, 12, 3))
    held(cast, official, meeting(cast, "C1", MeetingKind.PARTY_DAY, "2025-11"), datetime.date(2025, 11, 8))
    measure = measures.get("party.meetings_on_time")

    def rate(key):
        code = cast.place(key).code
        return numerator_rows(measure, code, NOV).count(), measure_rows(measure, code, NOV).count()

    assert rate("C1") == (2, 3)
    assert rate("G1") == (1, 1)
    assert rate("C2") == (0, 2)
    assert rate("S1") == (2, 5)


def test_the_overview_of_a_community_shows_its_own_organisation_first_and_adds_up(cast, client,
                                                                                   django_assert_max_num_queries):
    schedule(cast, "C1", "G1", "G1b")
    held(cast, cast.admin, meeting(cast, "G1", MeetingKind.GROUP, "2025-11"), datetime.date(2025, 11, 20))
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("party_life:meetings"), {"place": cast.place("C1").code})
    rows, totals = response.context["children"], response.context["totals"]
    assert [(row.own, row.place.code) for row in rows][:1] == [(True, cast.place("C1").code)]
    overdue = BranchMeeting.objects.overdue().filter(organization__place=cast.place("C1")).count()
    assert rows[0].overdue == overdue > 0
    assert sum(row.overdue for row in rows) == totals["overdue"]
    assert sum(row.due_so_far for row in rows) == totals["due_so_far"]
    html = response.content.decode()
    assert "本级：C1社区党委" in html
    assert reverse("party_life:calendar", args=[org(cast, "C1").pk]) in html


def test_a_grid_member_at_the_communitys_party_day_is_credited_at_their_own_group(cast):
    """The committee's community-wide 主题党日: its own cadre's check-in credits the committee's party day, a grid
    member's their own group's — one attendance each, nowhere twice."""
    committee = org(cast, "C1")
    event = party_event(committee, kind=EventKind.PARTY_DAY)
    member_in(event, "13710000001", at(20, 8, 45))  # C1社区党员
    member_in(event, "13700000001", at(20, 8, 50))  # G1党员
    rows = {(row.member.name, row.meeting.organization.name, row.meeting.kind)
            for row in MeetingAttendance.objects.select_related("member", "meeting__organization")}
    assert rows == {("C1社区党员", "C1社区党委", "party_day"), ("G1党员", "G1党小组", "party_day")}


def test_the_community_terminal_shows_its_committee_and_counts_each_member_once(cast, client):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    response = client.get(reverse("terminal", args=[cast.place("C1").code]))
    assert response.context["party"].organization.name == "C1社区党委"
    # C1社区党员 registered with the committee, G1党员 and G1b党员 with their grids' groups.
    assert response.context["totals"]["party_members"] == 3
    assert {row.place.code: row.party_members for row in response.context["rows"]} == {
        cast.place("G1").code: 1, cast.place("G1b").code: 1}
    assert "C1社区党委" in response.content.decode()


def test_a_member_of_the_communitys_own_organisation_is_in_the_workplace_return(cast):
    cadre = PartyMember.objects.get(name="C1社区党员")
    PartyMember.objects.filter(pk=cadre.pk).update(workplace="区教育局机关党支部")
    rows = selectors.workplace_return(cast.user(Role.STREET_OFFICIAL), "区教育局机关党支部", Period.quarter(2025, 4))
    assert [(row["member"].name, row["grid"], row["community"].code, row["street"].code) for row in rows] == [
        ("C1社区党员", None, cast.place("C1").code, cast.place("S1").code)]


def test_the_terminal_offers_to_set_up_a_party_organisation_only_where_there_is_none(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    create = reverse("manage:create", args=["party_org"])

    def offered(place) -> bool:
        page = client.get(reverse("terminal", args=[place.code])).content.decode()
        return f"{create}?place={place.code}" in page

    assert not offered(cast.place("C1"))  # C1社区党委 stands
    assert not offered(cast.place("G1"))  # its 党小组
    assert offered(grid_services.place_create(actor=cast.admin, parent=cast.place("C1"), name="新网格"))
