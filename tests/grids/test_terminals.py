import pytest
from django.urls import reverse

from grids import services
from grids.models import Role


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
    # 董庄社区: G1 (3 grid staff + 0) and G1b (1 worker); community official too.
    assert (rows["董庄社区"].grids, rows["董庄社区"].staff, rows["董庄社区"].party_members) == (2, 5, 2)
    assert (rows["健康社区"].grids, rows["健康社区"].staff, rows["健康社区"].party_members) == (1, 1, 1)
    assert response.context["totals"] == {"grids": 3, "staff": 6, "party_members": 3}


def test_terminal_counts_follow_new_grids(client, cast):
    services.place_create(actor=cast.admin, parent=cast.place("C2"), name="第2网格")
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    response = client.get(reverse("terminal", args=[cast.place("S1").code]))
    assert response.context["totals"]["grids"] == 4


def test_terminal_query_count_is_constant(
    # session, user, grants, place, breadcrumbs, children, and one grouped count each for grids, staff, members
    client, cast, django_assert_num_queries):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    url = reverse("terminal", args=[cast.place("D").code])
    client.get(url)
    with django_assert_num_queries(9):
        client.get(url)
    for n in range(5):
        services.place_create(actor=cast.admin, parent=cast.place("D"), name=f"新街道{n}")
    with django_assert_num_queries(9):
        client.get(url)


def test_grid_worker_cannot_open_sibling_grid(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.get(reverse("terminal", args=[cast.place("G1b").code])).status_code == 404
    assert client.get(reverse("terminal", args=[cast.place("C1").code])).status_code == 404
