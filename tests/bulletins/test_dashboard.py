"""The dashboards (数据看板): trends by local day and month, the rates of the places one level down with the
measures' own figures and their drill-down, the grids coloured by the latest ranking, today's patrol coverage; who
sees what; the terminal's buttons; constant query counts.

The figures are those of the hand-worked October (conftest.py; test_measures.py works them out), read on
20 November 2026 (the dashboards' clock is stopped there: the last closed month is October)."""

import datetime
import json
import re
import uuid

import pytest
from django.urls import NoReverseMatch, reverse

from bulletins import dashboard as boards
from bulletins import services
from bulletins.models import Kind, WeightScheme
from cases import services as case_services
from cases.models import Case, Level, Source
from grids import geo
from grids import services as grid_services
from grids.models import Place, Role, User
from ledger import services as ledger_services
from wudu.measures import Period

from .conftest import at, key

NOW = at(11, 20, 12)


@pytest.fixture(autouse=True)
def stopped_clock(monkeypatch):
    monkeypatch.setattr(boards, "clock", lambda: NOW)


def board_of(cast, role, place_key, now=NOW):
    return boards.dashboard(cast.user(role), cast.place(place_key), now=now)


def page(client, user, place, **query):
    client.force_login(user)
    return client.get(reverse("bulletins:dashboard_place", args=[place.code]), query)


def charts(response) -> dict:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>',
                      response.content.decode(), re.S)
    return json.loads(found[1])


def references(response) -> set[str]:
    return {c.reference for c in response.context["rows"]}


# ---------------------------------------------------------------------------------------------- trends


def test_trends_count_by_local_day_and_month(cast, category):
    worker, center = cast.user("grid_worker"), cast.user("command_center")

    def settled(when):  # a grid worker's report settled in the grid: registered and closed at once
        return case_services.case_create(actor=worker, source=Source.PATROL, grid=cast.place("G1"),
                                         category=category, description="就地解决", key=key(), level=Level.GRID,
                                         settled_result="已劝离", now=when)

    settled(at(11, 10, 23) + datetime.timedelta(minutes=30))  # 23:30 on the 10th (15:30 UTC)
    settled(at(11, 11, 0) + datetime.timedelta(minutes=30))  # 00:30 on the 11th (16:30 UTC on the 10th)
    hotline = case_services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G3"),
                                        category=category, description="来电", key=key(), now=at(11, 12))
    case_services.case_cancel(actor=center, case=hotline, version=hotline.version, note="重复来电", key=key(),
                              now=at(11, 12, 11))  # registered, never closed: a cancelled call is not 办结
    settled(at(9, 15))  # in the months, not in the last 30 days

    board = board_of(cast, Role.DISTRICT_OFFICIAL, "D")
    days = {p["day"]: (p["registered"], p["closed"]) for p in board.daily}
    assert len(days) == 30 and min(days) == datetime.date(2026, 10, 22) and max(days) == datetime.date(2026, 11, 20)
    assert {day: figures for day, figures in days.items() if figures != (0, 0)} == {
        datetime.date(2026, 11, 10): (1, 1), datetime.date(2026, 11, 11): (1, 1), datetime.date(2026, 11, 12): (1, 0)}
    months = {p["month"]: (p["registered"], p["closed"]) for p in board.monthly}
    assert len(months) == 12 and min(months) == datetime.date(2025, 12, 1)
    assert months[datetime.date(2026, 11, 1)] == (3, 2)
    assert months[datetime.date(2026, 9, 1)] == (1, 1)
    # 新兴街道 does not hold G3's call
    s1 = {p["month"]: p["registered"] for p in board_of(cast, Role.STREET_OFFICIAL, "S1").monthly}
    assert s1[datetime.date(2026, 11, 1)] == 2


def test_october_by_month_for_the_district_and_for_its_department(october, cast):
    # Registered in October: A B C E G H I J N (hotline) and K L M (the worker's) = 12; closed in October: A B D G J
    # and M settled in the grid = 6 (K was cancelled; P awaits the petitioner's verdict). In September: D F P
    # registered, F closed.
    months = {p["month"]: (p["registered"], p["closed"]) for p in board_of(cast, Role.DISTRICT_OFFICIAL, "D").monthly}
    assert months[datetime.date(2026, 10, 1)] == (12, 6)
    assert months[datetime.date(2026, 9, 1)] == (3, 1)
    # The department reads the cases dispatched to it only: not I (cancelled before dispatch) nor K L M.
    department = board_of(cast, Role.DEPARTMENT_STAFF, "D")
    months = {p["month"]: (p["registered"], p["closed"]) for p in department.monthly}
    assert months[datetime.date(2026, 10, 1)] == (8, 5)
    assert not department.full and department.rates == [] and department.grids == [] and department.coverage == []


def test_a_trend_point_drills_down_to_its_cases(client, october, cast):
    response = page(client, cast.user(Role.DISTRICT_OFFICIAL), cast.place("D"))
    october_row = next(r for r in response.context["monthly"] if r["label"] == "2026-10")
    assert october_row["closed"] == 6
    closed = client.get(october_row["closed_url"])
    assert references(closed) == {october.case(n).reference for n in "ABDGJM"}
    registered = client.get(october_row["registered_url"])
    assert len(references(registered)) == 12
    # a day, through the gate: the department sees its own cases of that day only
    client.force_login(cast.user(Role.DEPARTMENT_STAFF))
    url = reverse("bulletins:dashboard_cases", args=[cast.place("D").code])
    assert references(client.get(url, {"series": "registered", "day": "2026-10-05"})) == {october.case("A").reference}
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    assert references(client.get(url, {"series": "registered", "day": "2026-10-05"})) == {
        october.case("A").reference, october.case("I").reference}
    for bad in ({"series": "deleted", "day": "2026-10-05"}, {"series": "closed", "day": "yesterday"},
                {"series": "closed", "month": "2026-Q3"}, {"series": "closed"}, {},
                {"measure": "case.rework", "period": "2026-10", "part": "n"},
                {"measure": "case.closing", "period": "2026-10", "part": "x"},
                {"measure": "case.closing", "period": "October", "part": "n"}):
        response = client.get(url, bad)
        assert response.status_code == 400 and response.context["rows"] == [], bad


# ---------------------------------------------------------------------------------------------- rates


def test_rates_by_street_are_the_measures_own_figures(october, cast):
    grid_services.place_create(actor=cast.admin, parent=cast.place("D"), name="新建街道")  # nothing due there
    board = board_of(cast, Role.DISTRICT_OFFICIAL, "D")
    assert board.period == Period.month(2026, 10)
    figures = {row["place"].name: row["figures"] for row in board.rates}
    # test_measures.py: S1 closed 4 of 8 (2 on time), handled 6 of 8; S2's one case J on time
    assert figures["新兴街道"] == {"case.closing": [4, 8], "case.closing_on_time": [2, 8], "case.handling": [6, 8]}
    assert figures["丁庄街道"] == {"case.closing": [1, 1], "case.closing_on_time": [1, 1], "case.handling": [1, 1]}
    assert figures["新建街道"] == {"case.closing": [0, 0], "case.closing_on_time": [0, 0], "case.handling": [0, 0]}


def test_rates_table_shows_a_dash_for_no_denominator_and_drills_to_the_rows(client, october, cast):
    grid_services.place_create(actor=cast.admin, parent=cast.place("D"), name="新建街道")
    response = page(client, cast.user(Role.DISTRICT_OFFICIAL), cast.place("D"))
    rows = {row["place"].name: row for row in response.context["rate_rows"]}
    closing = {row: rows[row]["cells"][0] for row in rows}
    assert {name: cell["rate"] for name, cell in closing.items()} == {
        "新兴街道": "50.00%", "丁庄街道": "100.00%", "新建街道": "—"}  # never 0 % for nothing due
    # No bulletin of October yet: the numerator and the denominator open the dashboard's own lists of those cases.
    assert references(client.get(closing["新兴街道"]["n_url"])) == {october.case(n).reference for n in "ABDG"}
    assert references(client.get(closing["新兴街道"]["d_url"])) == {october.case(n).reference for n in "ABCDGHNP"}
    on_time = rows["新兴街道"]["cells"][1]
    assert references(client.get(on_time["n_url"])) == {october.case(n).reference for n in "AG"}
    html = response.content.decode()
    assert "新建街道" in html and f'href="{closing["新兴街道"]["n_url"]}"'.replace("&", "&amp;") in html


def test_with_a_bulletin_of_the_month_the_figures_link_to_its_rows(client, october, cast):
    bulletin = services.bulletin_build(place=cast.place("D"), period=Period.month(2026, 10), now=at(11, 2))
    response = page(client, cast.user(Role.DISTRICT_OFFICIAL), cast.place("D"))
    s1 = next(row for row in response.context["rate_rows"] if row["place"].name == "新兴街道")
    url = s1["cells"][0]["n_url"]
    assert url.startswith(reverse("bulletins:rows", args=[bulletin.pk]) + "?")
    assert f"unit={cast.place('S1').code}" in url and "measure=case.closing" in url and "part=n" in url


# ---------------------------------------------------------------------------------------------- the map


@pytest.fixture
def ranking(october, cast):
    """The third quarter's ranking of the district, every unit ranked from one case due (min volume 1)."""
    scheme = WeightScheme.objects.create(name="看板测试", min_volume=1)
    return services.bulletin_build(place=cast.place("D"), period=Period.quarter(2026, 3), kind=Kind.RANKING,
                                   scheme=scheme, now=at(11, 2))


def test_the_map_colours_grids_by_the_rankings_score_and_greys_those_without(client, ranking, cast):
    lines = {line["unit"]: line for line in ranking.snapshot["lines"] if line["level"] == "grid"}
    g1 = lines[cast.place("G1").code]
    assert g1["state"] == "ranked" and g1["band"]  # D, F and P were due in G1 in the third quarter
    response = page(client, cast.user(Role.STREET_OFFICIAL), cast.place("S1"))
    board = response.context["board"]
    assert board.ranking == ranking
    grids = {g["code"]: g for g in board.grids}
    assert set(grids) == {cast.place(k).code for k in ("G1", "G1b", "G2")}  # S1's grids only
    colour = {b["label"]: b["colour"] for b in board.bands}
    assert grids[cast.place("G1").code]["score"] == g1["score"]
    assert grids[cast.place("G1").code]["colour"] == colour[g1["band"]]
    assert grids[cast.place("G1b").code]["state"] == "no_data"
    assert grids[cast.place("G1b").code]["colour"] == boards.NO_DATA_COLOUR
    drawn = charts(response)["map"]
    assert {f["properties"]["name"] for f in drawn["geojson"]["features"]} == set(grids)
    assert drawn["geojson"]["features"][0]["geometry"]["type"] == "Polygon"
    html = response.content.decode()
    assert "无数据" in html and f"{g1['score']:.2f}" in html
    assert reverse("bulletins:dashboard_place", args=[cast.place("G1").code]) in html


def test_without_a_ranking_every_grid_is_grey_and_says_no_data(client, cast):
    response = page(client, cast.user(Role.COMMUNITY_OFFICIAL), cast.place("C1"))
    board = response.context["board"]
    assert board.ranking is None and board.bands == []
    assert {g["state"] for g in board.grids} == {"no_data"}
    assert response.content.decode().count("无数据") >= 2


def test_a_grid_without_a_boundary_is_listed_not_drawn(client, cast):
    grid_services.place_create(actor=cast.admin, parent=cast.place("C2"), name="第2网格")
    response = page(client, cast.user(Role.COMMUNITY_OFFICIAL), cast.place("C1"))
    assert len(charts(response)["map"]["geojson"]["features"]) == 2
    response = page(client, cast.user(Role.STREET_OFFICIAL), cast.place("S1"))
    drawn = charts(response)["map"]
    assert len(drawn["grids"]) == 4 and len(drawn["geojson"]["features"]) == 3


# ---------------------------------------------------------------------------------------------- patrol coverage


def patrol(user, grid, when):
    return ledger_services.patrol_start(actor=user, grid=grid, client_id=uuid.uuid4(), started_at=when, now=NOW)


def test_todays_patrol_coverage_per_child_place(client, cast):
    patrol(cast.user("grid_worker"), cast.place("G1"), at(11, 20, 8))
    patrol(User.objects.get(username="worker_G3"), cast.place("G3"), at(11, 20, 0) + datetime.timedelta(minutes=5))
    patrol(User.objects.get(username="worker_G2"), cast.place("G2"), at(11, 19, 23))  # yesterday
    board = board_of(cast, Role.DISTRICT_OFFICIAL, "D")
    assert [(c["place"].name, c["patrolled"], c["total"]) for c in board.coverage] == [
        ("新兴街道", 1, 3), ("丁庄街道", 1, 1)]
    community = board_of(cast, Role.COMMUNITY_OFFICIAL, "C1")
    assert [(c["place"].name, c["patrolled"], c["total"]) for c in community.coverage] == [
        ("第1网格", 1, 1), ("第2网格", 0, 1)]
    response = page(client, cast.user(Role.DISTRICT_OFFICIAL), cast.place("D"))
    assert charts(response)["coverage"] == {
        "labels": ["新兴街道", "丁庄街道"], "patrolled": [1, 1], "missing": [2, 0],
        "links": [reverse("bulletins:dashboard_place", args=[cast.place(k).code]) for k in ("S1", "S2")]}


def test_a_grid_dashboard_shows_its_own_figures(client, october, cast):
    patrol(cast.user("grid_worker"), cast.place("G1"), at(11, 20, 8))
    response = page(client, cast.user(Role.GRID_WORKER), cast.place("G1"))
    assert response.status_code == 200
    board = response.context["board"]
    assert [u.code for u in board.units] == [cast.place("G1").code]
    # G1's October: due A B D H N P (C is G1b's, G is G2's); closed A B D; handled A B D H P
    assert board.rates[0]["figures"] == {"case.closing": [3, 6], "case.closing_on_time": [1, 6],
                                         "case.handling": [5, 6]}
    assert [(c["patrolled"], c["total"]) for c in board.coverage] == [(1, 1)]


# ---------------------------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("role, place_key, status", [
    (Role.GRID_WORKER, "D", 404), (Role.GRID_WORKER, "G1b", 404), (Role.GRID_WORKER, "G1", 200),
    (Role.COMMUNITY_OFFICIAL, "S1", 404), (Role.STREET_OFFICIAL, "S2", 404), (Role.STREET_OFFICIAL, "C1", 200),
    (Role.DISTRICT_OFFICIAL, "D2", 404), (Role.DISTRICT_OFFICIAL, "G4", 404), (Role.DISTRICT_OFFICIAL, "B1", 404),
    (Role.SYSTEM_ADMIN, "D", 200),
])
def test_a_place_out_of_reach_is_not_found(client, cast, role, place_key, status):
    assert page(client, cast.user(role), cast.place(place_key)).status_code == status
    drill = reverse("bulletins:dashboard_cases", args=[cast.place(place_key).code])
    assert client.get(drill, {"series": "registered", "month": "2026-10"}).status_code == status


def test_an_unknown_place_and_anonymous_visitors(client, cast):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    assert client.get(reverse("bulletins:dashboard_place", args=["4110029"])).status_code == 404
    client.logout()
    response = client.get(reverse("bulletins:dashboard"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_dashboard_opens_on_the_users_own_place(client, cast):
    for role, place_key in ((Role.DISTRICT_OFFICIAL, "D"), (Role.STREET_OFFICIAL, "S1"), (Role.GRID_WORKER, "G1")):
        client.force_login(cast.user(role))
        assert client.get(reverse("bulletins:dashboard")).context["place"] == cast.place(place_key)
    client.force_login(cast.admin)  # a superuser without a grant: the first district
    assert client.get(reverse("bulletins:dashboard")).context["place"] == cast.place("D")


def test_department_staff_see_their_departments_trend_only(client, october, cast):
    response = page(client, cast.user(Role.DEPARTMENT_STAFF), cast.place("D"))
    assert response.status_code == 200
    drawn = charts(response)
    assert set(drawn) == {"text", "daily", "monthly"}
    html = response.content.decode()
    assert 'data-chart="map"' not in html and 'data-chart="rates"' not in html and 'data-chart="coverage"' not in html
    assert "只查看派遣给本部门的事件" in html
    # and not the rows of a rate either: the measure's rows pass the gate of the cases
    drill = reverse("bulletins:dashboard_cases", args=[cast.place("S1").code])
    rows = references(client.get(drill, {"measure": "case.closing", "period": "2026-10", "part": "d"}))
    assert rows == {october.case(n).reference for n in "ABCDGHNP"}  # all dispatched to 城市管理
    other = Case.objects.filter(pk=october.case("A").pk)
    other.update(department=cast.departments["huanbao@D"])
    assert october.case("A").reference not in references(
        client.get(drill, {"measure": "case.closing", "period": "2026-10", "part": "d"}))


def test_the_page_carries_no_inline_script(client, cast):
    html = page(client, cast.user(Role.DISTRICT_OFFICIAL), cast.place("D")).content.decode()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert scripts == ['<script id="dashboard-data" type="application/json">']
    assert "echarts.min.js" in html and "bulletins/dashboard.js" in html


# ---------------------------------------------------------------------------------------------- landing


def test_officials_and_admins_land_one_click_from_the_latest_ranking(client, ranking, cast):
    latest = reverse("bulletins:latest_ranking")
    for role in (Role.DISTRICT_OFFICIAL, Role.SYSTEM_ADMIN, Role.STREET_OFFICIAL, Role.COMMUNITY_OFFICIAL):
        client.force_login(cast.user(role))
        terminal = client.get(client.get(reverse("home")).url)
        html = terminal.content.decode()
        assert f'href="{latest}"' in html, role
        code = terminal.context["place"].code
        assert f'href="{reverse("bulletins:dashboard_place", args=[code])}"' in html
    response = client.get(latest)
    assert response.status_code == 302
    try:
        expected = reverse("bulletins:detail", args=[ranking.pk])
    except NoReverseMatch:  # the ranking page is not installed here: the dashboard shows the ranking's map
        expected = reverse("bulletins:dashboard")
    assert response.url == expected


def test_grid_staff_terminals_get_no_ranking_button(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    html = client.get(reverse("terminal", args=[cast.place("G1").code])).content.decode()
    assert reverse("bulletins:latest_ranking") not in html


def test_no_ranking_yet_says_so(client, cast):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    response = client.get(reverse("bulletins:latest_ranking"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("bulletins:dashboard")
    assert "还没有可查看的季度排名" in response.content.decode()


# ---------------------------------------------------------------------------------------------- query counts


def more_grids(cast, n):
    """n more grids in 丁庄社区 (C3, one grid so far: its grid is narrowed to make room), each patrolled today."""
    Place.objects.filter(pk=cast.place("G3").pk).update(boundary=geo.rectangle(113.5, 34.0, 113.6, 35.0), max_lng=113.6)
    for i in range(n):
        west = 113.6 + i * 0.03
        grid = grid_services.place_create(actor=cast.admin, parent=cast.place("C3"), name=f"新网格{i}",
                                          boundary=geo.rectangle(west, 34.0, west + 0.02, 34.5))
        user = grid_services.person_appoint(actor=cast.admin, place=grid, role=Role.GRID_WORKER,
                                            username=f"new_worker{i}", real_name=f"网格员{i}",
                                            mobile="13900000003").user
        patrol(user, grid, at(11, 20, 9))


@pytest.mark.parametrize("role, place_key", [
    (Role.DISTRICT_OFFICIAL, "D"), (Role.SYSTEM_ADMIN, "S2"), (Role.SYSTEM_ADMIN, "C3"), (Role.GRID_WORKER, "G1"),
    (Role.DEPARTMENT_STAFF, "D"),
])
def test_the_dashboard_costs_the_same_queries_for_one_grid_as_for_many(
        client, ranking, cast, role, place_key, django_assert_max_num_queries):
    # session, user, grants, the place, its breadcrumbs (the calendar banner is cached by the first request); the
    # trends (4 grouped queries); for a reader of the ledger: the places one level down (none for a grid), 3 rates,
    # the month's bulletin, the ranking, the grids, the patrolled grids.
    budget = 5 + 4 + {Role.DEPARTMENT_STAFF: 0, Role.GRID_WORKER: 7}.get(role, 8)
    client.force_login(cast.user(role))
    url = reverse("bulletins:dashboard_place", args=[cast.place(place_key).code])
    client.get(url)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200
    more_grids(cast, 12)
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    if role not in (Role.DEPARTMENT_STAFF, Role.GRID_WORKER):
        assert len(response.context["board"].grids) > 12


def test_the_terminal_costs_no_query_more_for_its_buttons(client, cast, django_assert_num_queries):
    # the count pinned by tests/grids/test_terminals.py without the buttons (11, with a daily report)
    from django.utils import timezone

    from ledger.reports import daily_report_build

    daily_report_build(timezone.localdate())
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    url = reverse("terminal", args=[cast.place("D").code])
    client.get(url)
    with django_assert_num_queries(11):
        assert reverse("bulletins:latest_ranking") in client.get(url).content.decode()


def test_drill_down_pages_cost_the_same_queries_whatever_the_rows(client, october, cast,
                                                                   django_assert_max_num_queries):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    url = reverse("bulletins:dashboard_cases", args=[cast.place("D").code])
    for query in ({"series": "registered", "month": "2026-10"}, {"series": "registered", "day": "2026-10-03"},
                  {"measure": "case.closing", "period": "2026-10", "part": "d"}):
        with django_assert_max_num_queries(7):
            assert client.get(url, query).status_code == 200
