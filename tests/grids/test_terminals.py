import pytest
from django.urls import reverse
from django.utils import timezone

from grids import services
from grids.models import Role
from ledger.reports import daily_report_build


def test_grid_worker_lands_on_own_grid(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("terminal", args=[cast.place("G1").code])
    page = client.get(response.url).content.decode()
    assert "第1网格" in page and "网格员甲" in page and "G1物业公司" in page and "G1党员" in page


@pytest.mark.parametrize(
    "role, level_key",
    [(Role.COMMUNITY_OFFICIAL, "C1"), (Role.STREET_OFFICIAL, "S1"), (Role.DISTRICT_OFFICIAL, "D")],
)
def test_officials_land_on_their_level(client, cast, role, level_key):
    client.force_login(cast.user(role))
    response = client.get(reverse("home"))
    assert response.url == reverse("terminal", args=[cast.place(level_key).code])


def test_street_terminal_counts_grids_staff_and_party_members_per_community(client, cast):
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    response = client.get(reverse("terminal", args=[cast.place("S1").code]))
    rows = {row.place.name: row for row in response.context["rows"]}
    # 董庄社区: G1 (3 grid staff + 0) and G1b (1 worker); community official too. Its party members: one in each
    # grid's group, one registered with the community's own committee.
    assert (rows["董庄社区"].grids, rows["董庄社区"].staff, rows["董庄社区"].party_members) == (2, 5, 3)
    assert (rows["健康社区"].grids, rows["健康社区"].staff, rows["健康社区"].party_members) == (1, 1, 2)
    # The street's own staff: its communities' people and the street official (tests/grids/test_staff_counts.py).
    assert response.context["totals"] == {"grids": 3, "staff": 7, "party_members": 5}


def test_terminal_counts_follow_new_grids(client, cast):
    services.place_create(actor=cast.admin, parent=cast.place("C2"), name="第2网格")
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    response = client.get(reverse("terminal", args=[cast.place("S1").code]))
    assert response.context["totals"]["grids"] == 4


def test_terminal_query_count_is_constant(
    # session, user, grants, place, breadcrumbs, latest report and its children's, children, and one grouped
    # count each for grids, staff, members
    client, cast, django_assert_num_queries):
    daily_report_build(timezone.localdate())
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    url = reverse("terminal", args=[cast.place("D").code])
    client.get(url)
    with django_assert_num_queries(11):
        client.get(url)
    for n in range(5):
        services.place_create(actor=cast.admin, parent=cast.place("D"), name=f"新街道{n}")
    with django_assert_num_queries(11):
        client.get(url)


def test_grid_worker_cannot_open_sibling_grid(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.get(reverse("terminal", args=[cast.place("G1b").code])).status_code == 404
    assert client.get(reverse("terminal", args=[cast.place("C1").code])).status_code == 404


def test_terminals_show_the_latest_daily_report_with_coverage(client, cast):
    daily_report_build(timezone.localdate())
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    page = client.get(reverse("terminal", args=[cast.place("S1").code]))
    assert page.context["day"].grids_total == 3
    html = page.content.decode()
    assert 'data-stat="coverage">0/3<' in html and "3 个网格巡查时长不足" in html
    assert [row.day.grids_total for row in page.context["rows"]] == [2, 1]


def test_department_staff_do_not_see_ledger_figures(client, cast):
    daily_report_build(timezone.localdate())
    client.force_login(cast.user(Role.DEPARTMENT_STAFF))
    page = client.get(reverse("terminal", args=[cast.place("D").code]))
    assert page.context["day"] is None


def test_department_staff_see_no_party_members_on_a_grid_page(client, cast):
    """The party-member register is the party organisation's: a department reading a grid's page sees its staff."""
    grid = cast.place("G1")
    client.force_login(cast.user(Role.DEPARTMENT_STAFF))
    page = client.get(reverse("terminal", args=[grid.code])).content.decode()
    assert "G1党员" not in page
    client.force_login(cast.user(Role.INSTRUCTOR))
    assert "G1党员" in client.get(reverse("terminal", args=[grid.code])).content.decode()
