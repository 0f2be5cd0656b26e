"""Deadlines in working days, with the holiday calendar seeded by cases migration 0002 (from chinese-calendar).

The expected dates are counted by hand from the State Council's 2026 arrangement as chinese-calendar 1.11
carries it (and the first test checks the seeded rows say the same): Mid-Autumn Festival Fri 25 – Sun 27 September; National Day Thu 1 –
Wed 7 October; working weekends (调休) Sun 20 September and Sat 10 October. Mon–Fri otherwise.

    September 2026                 October 2026
    Mo Tu We Th Fr Sa Su           Mo Tu We Th Fr Sa Su
                                             1h 2h 3h 4h
    14 15 16 17 18 19 20w           5h 6h 7h 8  9 10w 11
    21 22 23 24 25h26h27h          12 13 14 15 16 17 18
    28 29 30                        (h holiday, w working weekend day)
"""

import datetime
import zoneinfo

import pytest

from cases import services
from cases.models import Holiday, LimitUnit

from .conftest import key

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(month, day, hour=10, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def category(cast, time_limit, unit=LimitUnit.WORKING_DAYS):
    return services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code=f"c{time_limit}{unit[0]}",
        name=f"测试类别{time_limit}{unit}", department=cast.departments["chengguan@D"], time_limit=time_limit,
        limit_unit=unit)


def dispatch_at(cast, category, when):
    """A hotline case registered and dispatched at `when` with the category's own limit."""
    center = cast.user("command_center")
    case = services.case_create(actor=center, source="hotline", grid=cast.place("G1"), category=category,
                                description="占道经营", key=key(), now=when)
    return services.case_act(actor=center, case=case, action="dispatch", version=case.version, key=key(), now=when)


def test_the_2026_national_day_arrangement_is_seeded(db):
    rows = dict(Holiday.objects.filter(date__range=(datetime.date(2026, 9, 14), datetime.date(2026, 10, 18)))
                .values_list("date", "is_workday"))
    off = [datetime.date(2026, 9, 25)] + [datetime.date(2026, 10, d) for d in (1, 2, 5, 6, 7)]  # weekdays only
    on = [datetime.date(2026, 9, 20), datetime.date(2026, 10, 10)]
    assert rows == {**{d: False for d in off}, **{d: True for d in on}}


def test_three_working_days_from_the_thursday_before_national_day_skip_the_mid_autumn_friday(cast):
    # Thu 24 Sep 10:00 → (Fri 25 holiday, Sat 26, Sun 27 holiday) Mon 28, Tue 29, Wed 30 Sep.
    case = dispatch_at(cast, category(cast, 3), local(9, 24))
    assert case.dispatched_at == local(9, 24)
    assert case.deadline == local(9, 30)
    # 80 % of the 6 × 24 h span: 4 days 19 h 12 min after dispatch.
    assert case.due_soon_at == local(9, 29, 5, 12)


def test_three_working_days_across_national_day_end_on_the_working_saturday(cast):
    # Wed 30 Sep 10:00 → (1–7 Oct off) Thu 8, Fri 9, Sat 10 Oct (调休 working day).
    case = dispatch_at(cast, category(cast, 3), local(9, 30))
    assert case.deadline == local(10, 10)
    assert case.deadline.astimezone(SHANGHAI).isoweekday() == 6


def test_a_working_sunday_counts_as_a_working_day(cast):
    # Fri 18 Sep + 1 working day: Sat 19 is off, Sun 20 is a 调休 working day.
    case = dispatch_at(cast, category(cast, 1), local(9, 18, 16, 30))
    assert case.deadline == local(9, 20, 16, 30)


def test_an_ordinary_week_counts_monday_to_friday(cast):
    # Thu 12 Nov 2026 + 3: Fri 13, (Sat, Sun) Mon 16, Tue 17.
    case = dispatch_at(cast, category(cast, 3), local(11, 12, 9, 15))
    assert case.deadline == local(11, 17, 9, 15)


def test_a_holiday_added_by_an_administrator_moves_the_deadline(cast):
    three_days = category(cast, 3)
    # Mon 2 Nov 2026 + 3 = Thu 5 Nov, before the row is added.
    assert dispatch_at(cast, three_days, local(11, 2)).deadline == local(11, 5)
    # There is no service or admin page for the calendar yet: the row is what an administrator would add.
    Holiday.objects.create(date=datetime.date(2026, 11, 4), is_workday=False, name="临时停工")
    assert dispatch_at(cast, three_days, local(11, 2)).deadline == local(11, 6)
    # A working Saturday added the same way shortens the count again when it falls inside the span.
    Holiday.objects.create(date=datetime.date(2026, 11, 7), is_workday=True, name="调休上班")
    assert dispatch_at(cast, three_days, local(11, 5)).deadline == local(11, 9)  # Fri 6, Sat 7, Mon 9


def test_hour_limits_ignore_holidays_and_weekends(cast):
    # 48 h from Wed 30 Sep 20:00 is Fri 2 Oct 20:00, in the middle of the National Day holiday.
    case = dispatch_at(cast, category(cast, 48, LimitUnit.HOURS), local(9, 30, 20))
    assert case.deadline == local(10, 2, 20)
    assert case.due_soon_at == local(10, 2, 10, 24)  # 80 % of 48 h = 38 h 24 min


def test_an_approved_extension_counts_working_days_from_the_old_deadline_and_due_soon_from_dispatch(cast):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = dispatch_at(cast, category(cast, 3), local(9, 24))  # deadline Wed 30 Sep 10:00
    when = local(9, 28)
    case = services.case_act(actor=dept, case=case, action="sign", version=case.version, key=key(), now=when)
    case = services.case_act(actor=dept, case=case, action="request_extension", version=case.version, key=key(),
                             note="需协调多个部门", days=2, now=when)
    case = services.case_act(actor=center, case=case, action="approve_extension", version=case.version, key=key(),
                             now=when)
    # 30 Sep + 2 working days: (1–7 Oct off) Thu 8, Fri 9 Oct.
    assert case.deadline == local(10, 9)
    assert case.dispatched_at == local(9, 24)
    # The span is now 15 days; 80 % of it is 12 days after dispatch.
    assert case.due_soon_at == local(10, 6)


@pytest.mark.parametrize(("now", "expected"), [
    (local(9, 29, 5, 11), {"overdue": 0, "due_soon": 0}),
    (local(9, 29, 5, 12), {"overdue": 0, "due_soon": 1}),
    (local(9, 30), {"overdue": 1, "due_soon": 0}),
])
def test_the_timer_warns_at_eighty_percent_of_the_span_and_marks_overdue_at_the_deadline(cast, now, expected):
    dispatch_at(cast, category(cast, 3), local(9, 24))  # due soon Tue 29 Sep 05:12, deadline Wed 30 Sep 10:00
    assert services.case_timers_run(now=now) == expected
