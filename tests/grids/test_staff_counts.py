"""工作人员 on the terminals: one definition (the people holding a role at a place or below it, each once), so a
parent's row for a place shows the figure the place's own page shows (issue 15 #14: 新兴街道 124 vs 123)."""

from django.urls import reverse

from grids.models import Level, Membership, Role
from tests.cast import appoint_multi_role


def _page(client, place):
    return client.get(reverse("terminal", args=[place.code])).context


def test_each_places_own_staff_figure_equals_its_parents_row_for_it(client, cast):
    appoint_multi_role(cast)  # people serving at two levels, or in two streets: each counts once per place
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    checked = 0
    for key in ("D", "S1", "S2", "C1", "C2", "C3"):
        parent = _page(client, cast.place(key))
        people_below = Membership.objects.filter(place__code__startswith=cast.place(key).code)
        assert parent["totals"]["staff"] == people_below.values("user").distinct().count()
        for row in parent["rows"]:
            child = _page(client, row.place)
            if row.place.level == Level.GRID:
                own = len({m.user_id for m in child["profile"].staff})
            else:
                own = child["totals"]["staff"]
            assert row.staff == own, row.place.name
            checked += 1
    assert checked == 9


def test_someone_serving_at_a_street_and_in_its_community_counts_once(client, cast):
    appoint_multi_role(cast)
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    street = _page(client, cast.place("S1"))
    rows = {row.place.name: row.staff for row in street["rows"]}
    # 董庄社区: G1's three, G1b's worker, the community official, and the three people of MULTI_ROLE serving in G1
    # (one of them also its community official); 健康社区: G2's two workers and worker_official (its official).
    assert rows == {"董庄社区": 8, "健康社区": 3}
    # The street: both communities' people (worker_official once, though in both) and the street official.
    assert street["totals"]["staff"] == 8 + 3 - 1 + 1
