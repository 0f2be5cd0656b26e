"""The patrol as a grid worker lives it (issue 15 #6, #15): 继续巡查 on the home button, today's minutes against the
grid's own minimum, ending with a confirmation and a summary; the daily report by date with its history and the
grids short of their minimum by name."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from grids import services as grid_services
from grids.models import Place, Role
from ledger import services as ledger
from ledger.models import DailyReport, FindingCategory
from ledger.reports import daily_report_build
from ledger.selectors import route_metres


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _set_minimum(cast, key, minutes):
    grid = cast.place(key)
    grid_services.place_update(actor=cast.admin, place=grid, patrol_minimum_minutes=minutes)
    return Place.objects.get(pk=grid.pk)


@pytest.fixture
def worker(cast):
    return cast.user(Role.GRID_WORKER)


@pytest.fixture
def minutes_ago(monkeypatch):
    """A time today, `n` minutes ago. The clock reads 10:00 of today (local) and runs on from there, so that a run just
    after midnight still has the morning's patrol behind it (the day, and so the grants valid today, stay today)."""
    real_now = timezone.now
    started = real_now()
    ten = timezone.make_aware(datetime.datetime.combine(timezone.localdate(started), datetime.time(10)))
    monkeypatch.setattr(timezone, "now", lambda: ten + (real_now() - started))

    def at(n):
        return timezone.now() - datetime.timedelta(minutes=n)
    return at


def test_the_grid_page_says_continue_while_the_workers_patrol_is_open(client, cast, worker, minutes_ago):
    client.force_login(worker)
    url = reverse("terminal", args=[cast.place("G1").code])
    assert "开始巡查" in client.get(url).content.decode()
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=minutes_ago(5))
    page = client.get(url).content.decode()
    assert "继续巡查" in page and "开始巡查" not in page
    ledger.patrol_end(actor=worker, patrol=patrol)
    assert "开始巡查" in client.get(url).content.decode()


def test_the_patrol_page_counts_todays_minutes_against_the_district_minimum_then_the_grids_own(
        client, cast, worker, settings, minutes_ago):
    settings.MIN_DAILY_PATROL_MINUTES = 60
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=minutes_ago(30))
    ledger.patrol_end(actor=worker, patrol=patrol, ended_at=minutes_ago(5))
    client.force_login(worker)
    page = client.get(reverse("patrol:home"))
    [today] = page.context["today"]
    assert (today.minutes, today.minimum) == (25, 60)
    html = page.content.decode()
    assert 'data-done-seconds="1500" data-minimum="60"' in html and "全区统一要求 60 分钟" in html

    _set_minimum(cast, "G1", 20)
    page = client.get(reverse("patrol:home"))
    assert page.context["today"][0].minimum == 20 and "本网格要求" in page.content.decode()
    assert 'data-today-done hidden' not in page.content.decode()  # 25 ≥ 20: 已达标 shows


def test_ending_asks_to_confirm_and_the_page_then_sums_the_patrol_up(client, cast, worker, minutes_ago):
    client.force_login(worker)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=minutes_ago(40))
    safety = FindingCategory.objects.get(code="safety")
    for category in (safety, None, None):
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                            visited_at=minutes_ago(30), category=category)
    open_page = client.get(reverse("patrol:home")).content.decode()
    assert "确认结束本次巡查" in open_page and "确认结束" in open_page
    assert 'data-end="findings">1<' in open_page and 'data-end="visits">3<' in open_page

    route = [[113.1, 34.7, 1], [113.1, 34.701, 2], [113.101, 34.701, 3]]  # ~111 m north, then ~91 m east
    response = client.post(reverse("patrol:end", args=[patrol.pk]),
                           {"ended_at": minutes_ago(10).isoformat(), "route": "[" + ",".join(
                               f"[{lng},{lat},{t}]" for lng, lat, t in route) + "]"})
    assert response.status_code == 302
    summary = client.get(reverse("patrol:home")).context["summary"]
    assert (summary.minutes, summary.visits, summary.findings) == (30, 3, 1)
    assert 195 <= summary.route_metres <= 210 and route_metres(route) == summary.route_metres


def test_the_daily_report_holds_each_grid_to_its_own_minimum(cast, settings):
    settings.MIN_DAILY_PATROL_MINUTES = 60
    day = timezone.localdate() - datetime.timedelta(days=1)
    for key, worker, minutes in (("G1", cast.user(Role.GRID_WORKER), 90), ("G1b", None, 20)):
        worker = worker or cast.user_model.objects.get(username=f"worker_{key}")
        patrol = ledger.patrol_start(actor=worker, grid=cast.place(key), client_id=uuid.uuid4(), started_at=_at(day, 9))
        ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(day, 9) + datetime.timedelta(minutes=minutes))
    _set_minimum(cast, "G1", 120)  # 90 minutes fall short here
    _set_minimum(cast, "G1b", 15)  # 20 minutes are enough here
    daily_report_build(day)
    community = DailyReport.objects.get(place=cast.place("C1"), date=day)
    assert community.short_grids == [cast.place("G1").code]


def test_only_a_grid_takes_a_minimum_of_its_own(cast, client, settings):
    settings.MIN_DAILY_PATROL_MINUTES = 60
    with pytest.raises(ValidationError) as error:
        grid_services.place_update(actor=cast.admin, place=cast.place("C1"), patrol_minimum_minutes=30)
    assert "只有网格" in str(error.value)
    client.force_login(cast.admin)
    grid_form = client.get(reverse("manage:edit", args=["place", cast.place("G1").pk])).content.decode()
    community_form = client.get(reverse("manage:edit", args=["place", cast.place("C1").pk])).content.decode()
    assert "每日最低巡查时长" in grid_form and "每日最低巡查时长" not in community_form
    page = client.post(reverse("manage:edit", args=["place", cast.place("G1").pk]), {
        "name": "第1网格", "address": "", "boundary": "", "version": cast.place("G1").version,
        "patrol_minimum_minutes": "90"})
    assert page.status_code == 302, page.content.decode()
    assert Place.objects.get(pk=cast.place("G1").pk).patrol_minimum_minutes == 90
    detail = client.get(reverse("manage:detail", args=["place", cast.place("G1").pk])).context["fields"]
    sibling = client.get(reverse("manage:detail", args=["place", cast.place("G1b").pk])).context["fields"]
    assert ("每日最低巡查时长（分钟）", 90) in detail
    assert ("每日最低巡查时长（分钟）", "按全区要求（60）") in [(str(k), str(v)) for k, v in sibling]


# ----------------------------------------------------------------------------------- the daily report page


@pytest.fixture
def two_weeks(cast, settings):
    """Reports of the last three days; G1 patrolled 70 minutes the day before yesterday, nobody else ever."""
    settings.MIN_DAILY_PATROL_MINUTES = 60
    today = timezone.localdate()
    worker = cast.user(Role.GRID_WORKER)
    before = today - datetime.timedelta(days=2)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=_at(before, 9))
    ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(before, 10, 10))
    days = [today - datetime.timedelta(days=n) for n in (3, 2, 1)]
    for day in days:
        daily_report_build(day)
    return days


def test_the_daily_report_page_picks_a_day_lists_history_and_names_the_short_grids(client, cast, two_weeks):
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    url = reverse("ledger:daily", args=[cast.place("S1").code])
    latest = client.get(url)
    assert latest.status_code == 200 and latest.context["day"].date == two_weeks[-1]
    assert [r.date for r in latest.context["history"]] == list(reversed(two_weeks))
    # Yesterday nobody patrolled: the three grids of the street are named, with their minutes and minimum.
    names = [(s.grid.parent.name, s.grid.name, s.minutes, s.minimum) for s in latest.context["short"]]
    assert names == [("董庄社区", "第1网格", 0, 60), ("董庄社区", "第2网格", 0, 60), ("健康社区", "第1网格", 0, 60)]
    html = latest.content.decode()
    assert "3 个网格巡查时长不足" in html and "董庄社区 · 第2网格" in html and 'type="date"' in html
    assert "全区统一要求 60 分钟" in html

    picked = client.get(url, {"date": two_weeks[1].isoformat()})
    assert picked.context["day"].date == two_weeks[1]
    assert [s.grid.code for s in picked.context["short"]] == [cast.place("G1b").code, cast.place("G2").code]
    assert 'data-stat="patrol_minutes">70<' in picked.content.decode()

    missing = client.get(url, {"date": (two_weeks[0] - datetime.timedelta(days=30)).isoformat()})
    assert missing.context["day"] is None and "没有日报告" in missing.content.decode()
    future = client.get(url, {"date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and "日报告只有今天及以前的日期" in future.content.decode()


def test_the_terminal_links_its_short_grids_to_the_daily_report(client, cast, two_weeks):
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    html = client.get(reverse("terminal", args=[cast.place("S1").code])).content.decode()
    assert f'{reverse("ledger:daily", args=[cast.place("S1").code])}?date={two_weeks[-1].isoformat()}#short-grids' in html


def test_a_place_out_of_sight_has_no_daily_report_page(client, cast, two_weeks):
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    assert client.get(reverse("ledger:daily", args=[cast.place("S2").code])).status_code == 404


@pytest.mark.parametrize("extra_grids", [0, 6])
def test_the_daily_report_page_costs_the_same_queries_however_many_grids_fall_short(
        client, cast, settings, extra_grids, django_assert_num_queries):
    settings.MIN_DAILY_PATROL_MINUTES = 60
    for n in range(extra_grids):
        grid_services.place_create(actor=cast.admin, parent=cast.place("C1"), name=f"新网格{n}")
    day = timezone.localdate() - datetime.timedelta(days=1)
    daily_report_build(day)
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    url = reverse("ledger:daily", args=[cast.place("S1").code])
    client.get(url)
    # session, user, grants, the place, its history, the short grids by name with their minutes; + the date asked
    # when it is older than the history
    with django_assert_num_queries(6):
        page = client.get(url)
    assert len(page.context["short"]) == 3 + extra_grids
