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


# ------------------------------------------------------------------------------------------- working hours
# Office hours by default: 08:30–12:00, then 14:30–18:00 from October to April and 15:00–18:30 from May to
# September (a local summer timetable).


def test_working_hours_skip_the_lunch_break_the_night_and_the_weekend(cast):
    # Fri 13 Nov 2026 11:00 + 6 working hours (winter): 11:00–12:00 (1 h, 5 left), lunch, 14:30–18:00 (3.5 h,
    # 1.5 left), the night, Sat 14 and Sun 15, Mon 16 08:30 + 1.5 h → Mon 16 Nov 10:00.
    case = dispatch_at(cast, category(cast, 6, LimitUnit.WORKING_HOURS), local(11, 13, 11))
    assert case.deadline == local(11, 16, 10)
    assert case.deadline_provisional is False


def test_working_hours_skip_holidays_and_use_the_summer_afternoon(cast):
    # Thu 24 Sep 2026 16:00 + 4 working hours (summer): 16:00–18:30 (2.5 h, 1.5 left), Fri 25 Mid-Autumn,
    # Sat 26, Sun 27 (holidays), Mon 28 08:30 + 1.5 h → Mon 28 Sep 10:00.
    case = dispatch_at(cast, category(cast, 4, LimitUnit.WORKING_HOURS), local(9, 24, 16))
    assert case.deadline == local(9, 28, 10)


def test_working_hours_that_run_out_at_a_break_end_there(cast):
    # Mon 16 Nov 2026 08:30 + 3.5 working hours → 12:00 the same day, not 14:30.
    four = category(cast, 4, LimitUnit.WORKING_HOURS)
    assert calendar_deadline(local(11, 16, 8, 30), 3.5) == local(11, 16, 12)
    # Reported at night, Sat 14 Nov 22:00, 4 working hours: Mon 16 08:30–12:00 (3.5 h) and 14:30–15:00.
    assert dispatch_at(cast, four, local(11, 14, 22)).deadline == local(11, 16, 15)


def test_office_hours_are_configurable_as_one_span(cast, settings):
    settings.OFFICE_HOURS = ["09:00-17:00"]
    # Fri 13 Nov 2026 16:00 + 2 h: 16:00–17:00, Mon 16 09:00–10:00.
    case = dispatch_at(cast, category(cast, 2, LimitUnit.WORKING_HOURS), local(11, 13, 16))
    assert case.deadline == local(11, 16, 10)


def test_office_hours_that_make_no_sense_fail_with_a_message(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.OFFICE_HOURS = ["12:00-08:30"]
    with pytest.raises(ImproperlyConfigured, match="OFFICE_HOURS"):
        calendar_deadline(local(11, 16), 1)


def calendar_deadline(start, hours):
    from cases import calendar

    return calendar.deadline(start, hours, LimitUnit.WORKING_HOURS).at
