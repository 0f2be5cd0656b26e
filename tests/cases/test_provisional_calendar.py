"""The calendar beyond the official one (issue 19): provisional days from the statutory rules, recounted when the
official arrangement is entered, and the warning before the official calendar runs out.

The official calendar in the test database is the one migrations seed: 2024–2026 from chinese-calendar 1.11, so
it ends on Thu 31 December 2026. 2027 is provisional. The statutory days of 2027, worked out by hand from the
lunar dates (除夕 = Fri 5 Feb 2027, 端午 = Wed 9 Jun, 中秋 = Wed 15 Sep; 清明 Mon 5 Apr) and the 2024 rules:

    元旦      Fri 1 Jan
    春节      Fri 5 Feb (除夕), Sat 6, Sun 7, Mon 8 Feb  → Sat and Sun made up on Tue 9, Wed 10 Feb
    清明节    Mon 5 Apr
    劳动节    Sat 1, Sun 2 May                           → made up on Mon 3, Tue 4 May
    端午节    Wed 9 Jun
    中秋节    Wed 15 Sep
    国庆节    Fri 1, Sat 2, Sun 3 Oct                    → made up on Mon 4, Tue 5 Oct

    December 2026                  January 2027
    Mo Tu We Th Fr Sa Su           Mo Tu We Th Fr Sa Su
       1  2  3  4  5  6                         1h 2  3
    ...                             4o 5  6  7  8  9 10
    21 22 23 24 25 26 27           11 12 13 14 15 16 17
    28 29 30 31                    18 19 20 21 22 23 24
    (h provisional holiday; o off in the made-up official arrangement below, which also keeps 1 Jan)
"""

import datetime
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cases import calendar, holidays, services
from cases.models import Alert, CaseEvent, Holiday, HolidayYear, LimitUnit, Notification

from .conftest import key

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Named: force_login takes the first backend with get_user, and a backend that only guards logins may have one.
BACKEND = "django.contrib.auth.backends.ModelBackend"

# A made-up 2027 arrangement (the real one is not published yet): New Year's Day stretched to Mon 4 Jan.
ARRANGEMENT_2027 = """
# 国务院办公厅关于2027年部分节假日安排的通知（测试用，虚构）
2027-01-01~2027-01-04 休 元旦
2027-02-05~2027-02-12 休 春节
2027-02-20 班 春节调休
2027-04-05 休 清明节
2027-05-01~2027-05-05 休 劳动节
2027-05-08 班 劳动节调休
2027-06-09~2027-06-11 休 端午节
2027-09-15 休 中秋节
2027-10-01~2027-10-07 休 国庆节
2027-10-09 班 国庆节调休
"""


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def category(cast, time_limit, unit=LimitUnit.WORKING_DAYS):
    return services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code=f"p{time_limit}{unit[:5]}",
        name=f"暂定测试{time_limit}{unit}", department=cast.departments["chengguan@D"], time_limit=time_limit,
        limit_unit=unit)


def dispatch_at(cast, category, when, deadline=None):
    center = cast.user("command_center")
    case = services.case_create(actor=center, source="hotline", grid=cast.place("G1"), category=category,
                                description="占道经营", key=key(), now=when)
    return services.case_act(actor=center, case=case, action="dispatch", version=case.version, key=key(), now=when,
                             deadline=deadline)


def enter_2027(actor=None, now=None):
    days = holidays.parse_arrangement(ARRANGEMENT_2027, 2027)
    return holidays.holiday_year_enter(actor=actor, year=2027, days=days, source="国办发明电〔2026〕测试号",
                                       now=now or at(2026, 12, 28, 9))


# ------------------------------------------------------------------------------------ the provisional calendar


def test_the_statutory_days_of_2027_follow_the_lunar_calendar_and_make_up_weekends():
    days = dict(calendar.statutory_days(2027))
    d = datetime.date
    assert days == {
        d(2027, 1, 1): "元旦",
        d(2027, 2, 5): "春节", d(2027, 2, 8): "春节", d(2027, 2, 9): "春节补假", d(2027, 2, 10): "春节补假",
        d(2027, 4, 5): "清明节",
        d(2027, 5, 3): "劳动节补假", d(2027, 5, 4): "劳动节补假",
        d(2027, 6, 9): "端午节",
        d(2027, 9, 15): "中秋节",
        d(2027, 10, 1): "国庆节", d(2027, 10, 4): "国庆节补假", d(2027, 10, 5): "国庆节补假",
    }


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_day_is_off_in_the_official_arrangements_already_seeded(db, year):
    # The rules of the 2024 revision (除夕 included) hold from 2025: the official years must agree with them.
    official = dict(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))
    for day, name in calendar.statutory_days(year):
        assert official.get(day) is False, f"{day} {name} is a working day in the official {year} arrangement"


def test_migrations_store_2027_to_2029_as_provisional_years_after_the_official_2024_to_2026(db):
    assert dict(HolidayYear.objects.values_list("year", "provisional")) == {
        2024: False, 2025: False, 2026: False, 2027: True, 2028: True, 2029: True}
    rows = Holiday.objects.filter(date__year=2027)
    assert rows.count() == 13 and not rows.filter(provisional=False).exists()
    assert calendar.official_until() == datetime.date(2026, 12, 31)


def test_a_deadline_across_the_end_of_2026_counts_the_provisional_new_year(cast):
    # Thu 24 Dec 2026 10:00 + 15 working days: Fri 25 (1), Mon 28 – Thu 31 (2–5), Fri 1 Jan 2027 off
    # (provisional 元旦), Mon 4 – Fri 8 (6–10), Mon 11 – Fri 15 (11–15) → Fri 15 Jan 2027 10:00.
    # Without the provisional calendar 1 Jan counted as a working day and the deadline was Thu 14 Jan.
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))
    assert case.deadline == at(2027, 1, 15)
    assert case.deadline_provisional is True
    assert case.events.get(action="dispatch").data["limit"] == {"amount": 15, "unit": "working_days"}


def test_a_deadline_inside_the_official_calendar_is_not_provisional(cast):
    # Thu 10 Dec 2026 + 3: Fri 11, Mon 14, Tue 15 Dec.
    case = dispatch_at(cast, category(cast, 3), at(2026, 12, 10))
    assert case.deadline == at(2026, 12, 15)
    assert case.deadline_provisional is False


def test_years_beyond_the_stored_ones_are_computed_from_the_rules(db):
    # 2032 is in no table: Wed 31 Dec 2031 + 1 working day skips Thu 1 Jan 2032 (元旦) → Fri 2 Jan 2032.
    assert not HolidayYear.objects.filter(year=2032).exists()
    deadline = calendar.deadline(at(2031, 12, 31), 1, LimitUnit.WORKING_DAYS)
    assert deadline == (at(2032, 1, 2), True)


def test_the_daily_watch_stores_provisional_years_three_years_ahead_once(db):
    assert holidays.calendar_watch(now=at(2027, 3, 1))["extended"] == [2030]
    assert holidays.calendar_watch(now=at(2027, 3, 1))["extended"] == []
    assert Holiday.objects.filter(date__year=2030, provisional=True).count() == len(calendar.statutory_days(2030))


# ------------------------------------------------------------------------------------ the official arrangement


def test_entering_the_official_2027_arrangement_recounts_the_case_and_says_why(cast):
    center = cast.user("command_center")
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))  # provisional deadline Fri 15 Jan 10:00
    version = case.version

    result = enter_2027(actor=cast.user("system_admin"), now=at(2026, 12, 28, 9))

    # Thu 24 Dec + 15 on the made-up arrangement: Fri 25 (1), Mon 28 – Thu 31 (2–5), Fri 1 – Mon 4 Jan off,
    # Tue 5 – Fri 8 (6–9), Mon 11 – Fri 15 (10–14), Mon 18 (15) → Mon 18 Jan 2027 10:00.
    case.refresh_from_db()
    assert result == {"days": len(holidays.parse_arrangement(ARRANGEMENT_2027, 2027)), "recounted": 1, "kept": 0}
    assert case.deadline == at(2027, 1, 18)
    assert case.deadline_provisional is False
    assert case.version == version + 1  # a step taken on the old page now reloads
    assert case.due_soon_at == calendar.due_soon_at(at(2026, 12, 24), at(2027, 1, 18))
    event = case.events.get(action="recalendar")
    assert (event.from_status, event.to_status) == ("dispatched", "dispatched")
    assert event.deadline == at(2027, 1, 18)
    assert event.actor == cast.user("system_admin") and event.actor_role == "system_admin"
    assert "2027 年放假安排已录入" in event.note and "2027-01-15 10:00 → 2027-01-18 10:00" in event.note
    assert event.data["old_deadline"] == at(2027, 1, 15).isoformat()
    # The year is official now: no provisional day of 2027 is left, the arrangement's own days are in.
    assert not Holiday.objects.filter(date__year=2027, provisional=True).exists()
    assert Holiday.objects.get(date=datetime.date(2027, 1, 4)).is_workday is False
    assert Holiday.objects.get(date=datetime.date(2027, 2, 20)).is_workday is True
    assert HolidayYear.objects.get(year=2027).provisional is False
    # The department carries on from the recounted deadline.
    services.case_act(actor=cast.user("department_staff"), case=case, action="sign", version=case.version,
                      key=key(), now=at(2026, 12, 28, 10))
    assert center  # the command center needs to do nothing


def test_an_approved_extension_is_recounted_from_the_recounted_deadline(cast):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))  # Fri 15 Jan 2027 (provisional)
    when = at(2026, 12, 25)
    case = services.case_act(actor=dept, case=case, action="sign", version=case.version, key=key(), now=when)
    case = services.case_act(actor=dept, case=case, action="request_extension", version=case.version, key=key(),
                             note="需协调", days=2, now=when)
    case = services.case_act(actor=center, case=case, action="approve_extension", version=case.version, key=key(),
                             now=when)
    assert (case.deadline, case.deadline_provisional) == (at(2027, 1, 19), True)  # Fri 15 + Mon 18, Tue 19

    enter_2027(now=at(2026, 12, 28))
    # Official: dispatch → Mon 18 Jan (see above); + 2 working days: Tue 19, Wed 20 Jan.
    case.refresh_from_db()
    assert (case.deadline, case.deadline_provisional) == (at(2027, 1, 20), False)


def test_a_case_already_past_its_provisional_deadline_keeps_it_and_its_overdue_mark(cast):
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))  # Fri 15 Jan 2027 10:00 (provisional)
    assert services.case_timers_run(now=at(2027, 1, 15, 10, 15))["overdue"] == 1

    result = enter_2027(now=at(2027, 1, 16, 9))  # entered late: the case was already overdue

    case.refresh_from_db()
    assert result["recounted"] == 0 and result["kept"] == 1
    assert case.deadline == at(2027, 1, 15) and case.alert == Alert.OVERDUE
    assert not case.events.filter(action="recalendar").exists()


def test_a_due_soon_mark_made_on_the_provisional_deadline_is_lifted_when_the_deadline_moves_out(cast):
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))
    # 80 % of Thu 24 Dec 10:00 → Fri 15 Jan 10:00 (22 days) is 17 d 14 h 24 min: Mon 11 Jan 00:24.
    assert case.due_soon_at == at(2027, 1, 11, 0, 24)
    services.case_timers_run(now=at(2027, 1, 11, 9))
    case.refresh_from_db()
    assert case.alert == Alert.DUE_SOON
    enter_2027(now=at(2027, 1, 11, 10))
    # Recounted to Mon 18 Jan: 80 % of 25 days is 20 days → Wed 13 Jan 10:00, still ahead.
    case.refresh_from_db()
    assert case.due_soon_at == at(2027, 1, 13) and case.alert == Alert.NONE


def test_deadlines_the_arrangement_does_not_touch_stay_as_they_are(cast):
    chosen = dispatch_at(cast, category(cast, 15), at(2026, 12, 24), deadline=at(2027, 1, 8))
    hours = dispatch_at(cast, category(cast, 48, LimitUnit.HOURS), at(2026, 12, 30))
    assert not chosen.deadline_provisional and not hours.deadline_provisional
    assert enter_2027()["recounted"] == 0
    assert not CaseEvent.objects.filter(action="recalendar").exists()


def test_a_local_day_added_in_a_provisional_year_survives_the_arrangement(cast):
    services.holiday_save(actor=cast.user("system_admin"), date=datetime.date(2027, 3, 10), is_workday=False,
                          name="临时停工")
    enter_2027()
    assert Holiday.objects.get(date=datetime.date(2027, 3, 10)).name == "临时停工"


def test_an_arrangement_that_cannot_be_read_says_which_line(db):
    with pytest.raises(Exception) as error:
        holidays.parse_arrangement("2027-01-01 休 元旦\n2027年1月2日 放假\n2026-12-31 休 元旦", 2027)
    text = " ".join(error.value.messages)
    assert "第 2 行" in text and "第 3 行" in text


def test_only_the_system_administrator_or_the_command_center_enter_an_arrangement(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        enter_2027(actor=cast.user("department_staff"))
    assert HolidayYear.objects.get(year=2027).provisional is True


def test_load_holidays_command_enters_a_file_and_refuses_a_year_the_library_lacks(cast, tmp_path):
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))
    path = tmp_path / "2027.txt"
    path.write_text(ARRANGEMENT_2027, encoding="utf-8")
    call_command("load_holidays", "--year", "2027", "--file", str(path))
    case.refresh_from_db()
    assert case.deadline_provisional is False and case.events.filter(action="recalendar").count() == 1
    with pytest.raises(CommandError, match="2028"):
        call_command("load_holidays", "--year", "2028", "--from-library")


def test_the_admin_page_enters_an_arrangement(client, cast):
    client.force_login(cast.admin, backend=BACKEND)
    page = reverse("admin:cases_holiday_enter")
    assert client.get(page).status_code == 200
    response = client.post(page, {"year": 2027, "source": "国办发明电〔2026〕测试号", "text": ARRANGEMENT_2027})
    assert response.status_code == 302
    assert HolidayYear.objects.get(year=2027).entered_by == cast.admin


# ------------------------------------------------------------------------------------ the warning


@pytest.fixture
def today(monkeypatch):
    """Set the date the banner and /healthz read (timezone.localdate)."""
    def set_today(day: datetime.date):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return set_today


def banner(client, user) -> bool:
    client.force_login(user, backend=BACKEND)
    return "data-calendar-banner" in client.get(reverse("home"), follow=True).content.decode()


def test_the_warning_starts_sixty_days_before_the_official_calendar_ends_and_stops_when_2027_is_entered(
        client, cast, today, django_capture_on_commit_callbacks, settings):
    settings.HEALTHZ_CACHE_SECONDS = 0  # the days change faster here than /healthz's copy of its answer expires
    center, admin, worker = cast.user("command_center"), cast.user("system_admin"), cast.user("grid_worker")
    # 31 Dec 2026 − 60 days = Sun 1 Nov 2026 (30 days of November, 30 more to 31 December).
    today(datetime.date(2026, 10, 31))
    assert not banner(client, center)
    assert client.get(reverse("healthz")).json()["calendar"]["status"] == "ok"
    assert holidays.calendar_watch(now=at(2026, 10, 31))["notified"] == 0

    today(datetime.date(2026, 11, 1))
    assert banner(client, center) and banner(client, admin)
    assert not banner(client, worker)
    health = client.get(reverse("healthz")).json()
    assert health["status"] == "ok" and health["warnings"] == ["calendar"]
    assert health["calendar"] == {"status": "warning", "official_until": "2026-12-31", "days_left": 60,
                                  "warn_days": 60}
    # The notice comes once, to the command center and the system administrators (and the superuser).
    assert holidays.calendar_watch(now=at(2026, 11, 1, 6))["notified"] == 3
    assert holidays.calendar_watch(now=at(2026, 11, 2, 6))["notified"] == 0
    notices = Notification.objects.filter(kind="calendar")
    assert set(notices.values_list("user", flat=True)) == {center.pk, admin.pk, cast.admin.pk}
    assert "2027 年的国务院放假安排尚未录入" in notices.first().message

    with django_capture_on_commit_callbacks(execute=True):
        enter_2027(actor=admin, now=at(2026, 11, 20))
    today(datetime.date(2026, 11, 20))
    assert not banner(client, center)
    assert client.get(reverse("healthz")).json()["calendar"]["status"] == "ok"
    assert "warnings" not in client.get(reverse("healthz")).json()
    assert holidays.calendar_watch(now=at(2026, 11, 21, 6))["notified"] == 0


def test_the_banner_reads_the_end_of_the_official_calendar_once_then_from_the_cache(
        client, cast, today, django_assert_num_queries):
    from cases.templatetags.calendar_banner import _official_until

    today(datetime.date(2026, 12, 1))
    with django_assert_num_queries(1):
        assert _official_until() == datetime.date(2026, 12, 31)
    with django_assert_num_queries(0):
        assert _official_until() == datetime.date(2026, 12, 31)


def test_the_recount_reads_as_such_on_the_timeline(cast):
    from cases import workflow

    assert str(workflow.event_label("recalendar")) == "按正式放假安排重算时限"
    assert str(workflow.event_label("dispatch")) == "派遣"
    assert str(workflow.event_label("create")) == "登记"


def test_the_daily_task_runs_the_watch(db):
    from cases.tasks import holiday_calendar_watch_task

    result = holiday_calendar_watch_task.delay().get(timeout=10)
    assert set(result) == {"extended", "warn", "notified"}


def test_the_case_page_marks_a_provisional_deadline_and_names_the_recount(client, cast):
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))
    client.force_login(cast.user("command_center"), backend=BACKEND)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "data-deadline-provisional" in page
    enter_2027(actor=cast.user("system_admin"), now=at(2026, 12, 28, 9))
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "data-deadline-provisional" not in page
    assert "按正式放假安排重算时限" in page  # the recount's event, not a second "登记"
