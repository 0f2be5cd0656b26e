"""Hours from an evidence chain, with numbers worked by hand (event 10:00–12:00 Beijing time, 120 minutes)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from outreach import selectors, services
from outreach.models import EventKind, HoursFlag, HoursStatus, ServiceRecord, Volunteer
from tests.outreach.hours_fixtures import at, check_in, check_out, event, organization, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(cast):
    return organization(cast)


@pytest.fixture
def lecture(cast, org):
    return event(cast, org, starts=at(20, 10))


# ------------------------------------------------------------------------------------------- registration


def test_second_registration_of_the_same_mobile_finds_the_first(cast):
    first = services.volunteer_register(actor=cast.admin, home=cast.places["G1"], name="李梅", mobile="13812345678")
    again = services.volunteer_register(actor=cast.user("community_official"), home=cast.places["G1"], name="李梅梅",
                                        mobile="13812345678")
    assert again.pk == first.pk and Volunteer.objects.filter(mobile="13812345678").count() == 1
    assert again.name == "李梅"


def test_registration_of_a_mobile_registered_out_of_sight_is_refused_without_a_name(cast):
    services.volunteer_register(actor=cast.admin, home=cast.places["G3"], name="王芳", mobile="13812345679")
    with pytest.raises(ValidationError) as error:
        services.volunteer_register(actor=cast.user("community_official"), home=cast.places["G1"], name="王芳",
                                    mobile="13812345679")
    assert "王芳" not in str(error.value) and "其他地点" in str(error.value)


def test_membership_join_twice_is_one_row_and_leave_keeps_it(cast, org):
    vol = volunteer(cast)
    official = cast.user("community_official")
    first = services.volunteer_join(actor=official, volunteer=vol, organization=org)
    assert services.volunteer_join(actor=official, volunteer=vol, organization=org).pk == first.pk
    left = services.volunteer_leave(actor=official, membership=first)
    assert left.left_on is not None
    with pytest.raises(PermissionDenied):
        services.volunteer_join(actor=cast.user("grid_worker"), volunteer=vol, organization=org)


# ------------------------------------------------------------------------------------------- check-in and out


def test_minutes_are_out_minus_in(cast, lecture):
    vol = volunteer(cast)
    check_in(lecture, vol, at(20, 9, 50))
    record = check_out(lecture, vol, at(20, 11, 35))
    assert record.minutes == 105  # 9:50 → 11:35
    assert record.flags == [] and record.status == HoursStatus.PENDING


def test_minutes_never_exceed_the_events_length(cast, lecture):
    vol = volunteer(cast)
    check_in(lecture, vol, at(20, 9, 30))  # the earliest moment: 30 minutes before the start
    assert check_out(lecture, vol, at(20, 12, 20)).minutes == 120  # 170 minutes present, 120 credited


@pytest.mark.parametrize("moment", [at(20, 9, 29), at(20, 12, 1)])
def test_check_in_outside_the_window_is_refused(cast, lecture, moment):
    vol = volunteer(cast)
    with pytest.raises(ValidationError) as error:
        check_in(lecture, vol, moment)
    assert "签到" in str(error.value)
    assert not ServiceRecord.objects.exists()


def test_a_stale_or_wrong_code_is_refused(cast, lecture):
    vol = volunteer(cast)
    old = services.checkin_code(lecture, now=at(20, 9, 40))
    with pytest.raises(ValidationError, match="签到码"):  # two rotations later (5 minutes each)
        services.volunteer_check_in(code=old, mobile=vol.mobile, now=at(20, 9, 51))
    previous = services.checkin_code(lecture, now=at(20, 9, 47))
    assert services.volunteer_check_in(code=previous, mobile=vol.mobile, now=at(20, 9, 51)).pk  # the previous one


def test_a_retried_check_in_returns_the_first_record(cast, lecture):
    vol = volunteer(cast)
    first = check_in(lecture, vol, at(20, 9, 55))
    again = check_in(lecture, vol, at(20, 9, 56))
    assert again.pk == first.pk and again.checked_in_at == at(20, 9, 55)
    assert ServiceRecord.objects.count() == 1


def test_position_too_far_is_refused_and_none_is_noted(cast, lecture):
    far, near = volunteer(cast, "远"), volunteer(cast, "近")
    with pytest.raises(ValidationError, match="超出500米"):  # 0.005° of latitude ≈ 556 m
        check_in(lecture, far, at(20, 9, 55), point=(113.1, 34.705))
    assert check_in(lecture, near, at(20, 9, 55), point=(113.1, 34.704)).flags == []  # ≈ 445 m
    assert check_in(lecture, far, at(20, 9, 56), point=None).flags == [HoursFlag.NO_POSITION]


def test_an_unregistered_mobile_is_refused(cast, lecture):
    with pytest.raises(ValidationError, match="未注册"):
        services.volunteer_check_in(code=services.checkin_code(lecture, now=at(20, 10)), mobile="13899999999",
                                    now=at(20, 10))


def test_performance_gives_no_hours_unless_marked_as_service(cast, org):
    vol = volunteer(cast)
    show = event(cast, org, starts=at(21, 19), kind=EventKind.PERFORMANCE, title="文艺演出")
    with pytest.raises(ValidationError, match="不计志愿服务时长"):
        check_in(show, vol, at(21, 19))
    marked = event(cast, org, starts=at(22, 19), kind=EventKind.PERFORMANCE, counts_as_service=True)
    assert check_in(marked, vol, at(22, 19)).pk


def test_check_out_without_check_in_is_refused(cast, lecture):
    with pytest.raises(ValidationError, match="还没有"):
        check_out(lecture, volunteer(cast), at(20, 11))


def test_forgotten_check_out_is_closed_at_the_end_flagged_and_only_once(cast, lecture):
    vol = volunteer(cast)
    check_in(lecture, vol, at(20, 10, 10))
    assert services.hours_close_forgotten(now=at(20, 12, 29)) == 0  # still within the 30 minutes' grace
    assert services.hours_close_forgotten(now=at(20, 12, 31)) == 1
    record = ServiceRecord.objects.get()
    assert record.checked_out_at == at(20, 12) and record.minutes == 110 and record.checkout_capped
    assert record.flags == [HoursFlag.CHECKOUT_CAPPED]
    assert services.hours_close_forgotten(now=at(21, 0)) == 0
    assert ServiceRecord.objects.get().version == record.version


# ------------------------------------------------------------------------------------------- anomaly flags


def test_one_device_checking_in_four_people_flags_all_four(cast, lecture):
    people = [volunteer(cast, f"同机{i}") for i in range(4)]
    for person in people[:3]:
        check_in(lecture, person, at(20, 9, 50), device="shared")
    assert not ServiceRecord.objects.exclude(flags=[]).exists()  # three people: the threshold, not beyond it
    check_in(lecture, people[3], at(20, 9, 51), device="shared")
    assert all(r.flags == [HoursFlag.SHARED_DEVICE] for r in ServiceRecord.objects.all())
    assert ServiceRecord.objects.count() == 4


def test_overlapping_events_flag_both_records(cast, org):
    vol = volunteer(cast)
    a = event(cast, org, starts=at(20, 10), title="甲")
    b = event(cast, org, starts=at(20, 11), title="乙", point=None)
    first = check_in(a, vol, at(20, 10))
    second = check_in(b, vol, at(20, 11), point=None)  # still in at 甲 (no check-out yet)
    assert HoursFlag.OVERLAP in second.flags
    first.refresh_from_db()
    assert first.flags == [HoursFlag.OVERLAP]


def test_back_to_back_events_do_not_overlap(cast, org):
    vol = volunteer(cast)
    a = event(cast, org, starts=at(20, 8), hours=6)
    b = event(cast, org, starts=at(20, 14), hours=6)
    check_in(a, vol, at(20, 8))
    check_out(a, vol, at(20, 14))
    check_in(b, vol, at(20, 14))
    assert check_out(b, vol, at(20, 20)).flags == []  # 6 h + 6 h = 12 h: the day's limit, not beyond it
    c = event(cast, org, starts=at(20, 20), hours=0.5)
    check_in(c, vol, at(20, 20))
    last = check_out(c, vol, at(20, 20, 30))
    assert last.minutes == 30 and last.flags == [HoursFlag.OVER_DAILY]  # 12.5 h in one day
    assert ServiceRecord.objects.filter(flags=[HoursFlag.OVER_DAILY]).count() == 3


def _honour(cast, org, vol, minutes=60, event=None, now=None):
    return services.honour_hours_enter(
        actor=cast.user("community_official"), volunteer=vol, organization=org, minutes=minutes, reason="抗疫值守表彰",
        approver=cast.user("street_official"), event=event, now=now or at(25, 9))


def test_five_honour_entries_by_one_person_in_ten_minutes_are_flagged(cast, org):
    people = [volunteer(cast, f"荣{i}") for i in range(5)]
    for i, person in enumerate(people[:4]):
        _honour(cast, org, person, now=at(25, 9, 2 * i))
    assert not ServiceRecord.objects.exclude(flags=[]).exists()
    _honour(cast, org, people[4], now=at(25, 9, 8))  # the fifth within 10 minutes of the first
    assert ServiceRecord.objects.filter(flags=[HoursFlag.NO_CHECKIN_BURST]).count() == 5


def test_a_burst_of_back_entries_is_flagged(cast, org, settings):
    settings.HOURS_BACK_ENTRY_BURST = 3
    settings.HOURS_BURST_COUNT = 99
    past = event(cast, org, starts=at(1, 10))
    people = [volunteer(cast, f"补{i}") for i in range(3)]
    _honour(cast, org, people[0], event=past, now=at(25, 9))
    _honour(cast, org, people[1], event=past, now=at(25, 15))
    assert not ServiceRecord.objects.exclude(flags=[]).exists()
    _honour(cast, org, people[2], event=past, now=at(26, 8))  # three within 24 hours
    assert ServiceRecord.objects.filter(flags=[HoursFlag.BACK_ENTRY_BURST]).count() == 3


def test_flagged_records_list_skips_a_missing_position_alone(cast, lecture):
    a, b = volunteer(cast, "甲"), volunteer(cast, "乙")
    check_in(lecture, a, at(20, 10), point=None)
    check_in(lecture, b, at(20, 10, 5))
    services.hours_close_forgotten(now=at(21, 0))
    assert {r.volunteer.name for r in selectors.flagged_records(cast.admin)} == {"甲", "乙"}
    ServiceRecord.objects.filter(volunteer=a).update(flags=[HoursFlag.NO_POSITION])
    assert {r.volunteer.name for r in selectors.flagged_records(cast.admin)} == {"乙"}


# ------------------------------------------------------------------------------------------- honour hours


def test_honour_hours_are_capped_per_record_and_per_year(cast, org):
    vol = volunteer(cast)
    with pytest.raises(ValidationError, match="不超过20小时"):
        _honour(cast, org, vol, minutes=20 * 60 + 1)
    _honour(cast, org, vol, minutes=20 * 60)
    _honour(cast, org, vol, minutes=20 * 60, now=at(26, 9))  # 40 h: the year's limit
    with pytest.raises(ValidationError, match="今年已有40.0小时"):
        _honour(cast, org, vol, minutes=1, now=at(27, 9))
    assert ServiceRecord.objects.count() == 2


def test_honour_hours_need_a_reason_and_another_approver(cast, org):
    vol = volunteer(cast)
    official = cast.user("community_official")
    with pytest.raises(ValidationError, match="原因"):
        services.honour_hours_enter(actor=official, volunteer=vol, organization=org, minutes=60, reason=" ",
                                    approver=cast.user("street_official"))
    with pytest.raises(ValidationError, match="录入人以外"):
        services.honour_hours_enter(actor=official, volunteer=vol, organization=org, minutes=60, reason="表彰",
                                    approver=official)
    with pytest.raises(ValidationError, match="管理人员"):
        services.honour_hours_enter(actor=official, volunteer=vol, organization=org, minutes=60, reason="表彰",
                                    approver=cast.user("grid_worker"))
    assert not ServiceRecord.objects.exists()


def test_honour_hours_are_verified_by_their_approver_only_and_never_make_stars(cast, org, settings):
    settings.VOLUNTEER_STAR_HOURS = [1, 3]
    vol = volunteer(cast)
    record = _honour(cast, org, vol, minutes=20 * 60)
    with pytest.raises(ValidationError, match="审批人"):
        services.hours_countersign(actor=cast.user("district_official"), record=record)
    services.hours_countersign(actor=cast.user("street_official"), record=record)
    result = selectors.volunteer_record(cast.admin, vol)
    assert result.honour_hours == 20.0 and result.service_hours == 0 and result.stars.level == 0


# ------------------------------------------------------------------------------------------- countersign


def test_countersign_by_the_recording_office(cast, lecture):
    vol = volunteer(cast)
    check_in(lecture, vol, at(20, 10))
    record = ServiceRecord.objects.get()
    with pytest.raises(ValidationError, match="签退"):
        services.hours_countersign(actor=cast.user("community_official"), record=record)
    check_out(lecture, vol, at(20, 12))
    record = services.hours_countersign(actor=cast.user("community_official"), record=record)
    assert record.status == HoursStatus.VERIFIED and record.countersigned_by == cast.user("community_official")


def test_countersign_refused_to_the_volunteer_themself_and_to_outsiders(cast, lecture):
    official = cast.user("community_official")
    vol = volunteer(cast, user=official)
    check_in(lecture, vol, at(20, 10))
    record = check_out(lecture, vol, at(20, 12))
    with pytest.raises(ValidationError, match="本人"):
        services.hours_countersign(actor=official, record=record)
    with pytest.raises(PermissionDenied):  # 丁庄街道 does not reach 董庄社区's organisation
        services.hours_countersign(actor=_street_official_of(cast, "S2"), record=record)
    with pytest.raises(PermissionDenied):  # the grid's worker is not the organisation's office
        services.hours_countersign(actor=cast.user("grid_worker"), record=record)
    assert ServiceRecord.objects.get().status == HoursStatus.PENDING


def _street_official_of(cast, key):
    from grids import services as grid_services

    return grid_services.person_appoint(actor=cast.admin, place=cast.places[key], role="street_official",
                                        username=f"official_{key}", real_name="丁庄干部", mobile="13900000009").user


def test_decline_needs_a_reason_and_keeps_the_record(cast, lecture):
    vol = volunteer(cast)
    check_in(lecture, vol, at(20, 10))
    record = check_out(lecture, vol, at(20, 11))
    with pytest.raises(ValidationError, match="原因"):
        services.hours_decline(actor=cast.user("community_official"), record=record, reason="")
    record = services.hours_decline(actor=cast.user("community_official"), record=record, reason="未在现场")
    assert record.status == HoursStatus.DECLINED and record.declined_reason == "未在现场"
    with pytest.raises(ValidationError):
        services.hours_countersign(actor=cast.user("community_official"), record=record)


def test_countersign_all_of_an_event(cast, lecture):
    people = [volunteer(cast, f"队员{i}") for i in range(3)]
    for person in people:
        check_in(lecture, person, at(20, 10), device=person.name)
    for person in people[:2]:
        check_out(lecture, person, at(20, 12))
    assert services.hours_countersign_event(actor=cast.user("community_official"), event=lecture) == 2
    assert ServiceRecord.objects.filter(status=HoursStatus.VERIFIED).count() == 2


# ------------------------------------------------------------------------------------------- stars


@pytest.mark.parametrize("hours, stars", [(0, 0), (99.9, 0), (100, 1), (299, 1), (300, 2), (600, 3), (1000, 4),
                                          (1499, 4), (1500, 5), (4000, 5)])
def test_star_levels_from_the_default_thresholds(hours, stars):
    assert services.star_level(round(hours * 60)).level == stars


def test_stars_count_verified_service_hours_only(cast, org, settings):
    settings.VOLUNTEER_STAR_HOURS = [3, 5]
    vol = volunteer(cast)
    official = cast.user("community_official")
    for day in (20, 21):  # two lectures of 2 h: 4 h verified
        ev = event(cast, org, starts=at(day, 10))
        check_in(ev, vol, at(day, 10))
        services.hours_countersign(actor=official, record=check_out(ev, vol, at(day, 12)))
    pending = event(cast, org, starts=at(22, 10))
    check_in(pending, vol, at(22, 10))
    check_out(pending, vol, at(22, 12))  # 2 h pending: not counted
    result = selectors.volunteer_record(cast.admin, vol)
    assert result.service_hours == 4.0 and result.stars.level == 1 and result.stars.next_at == 5
    assert result.by_kind["service"].pending == 120


def test_volunteer_list_sums_hours_apart(cast, org):
    vol = volunteer(cast)
    ev = event(cast, org, starts=at(20, 10))
    check_in(ev, vol, at(20, 10))
    services.hours_countersign(actor=cast.user("community_official"), record=check_out(ev, vol, at(20, 11, 30)))
    services.hours_countersign(actor=cast.user("street_official"), record=_honour(cast, org, vol, minutes=45))
    row = selectors.volunteers_with_hours(cast.admin).get(pk=vol.pk)
    assert (row.service_minutes, row.honour_minutes, row.pending_minutes) == (90, 45, 0)


def test_check_in_within_the_window_on_the_day_before_is_not_today(cast, lecture):
    """Codes are per moment: yesterday's code at the same clock time is another code."""
    assert services.checkin_code(lecture, now=at(20, 10)) != services.checkin_code(
        lecture, now=at(20, 10) - datetime.timedelta(days=1))
