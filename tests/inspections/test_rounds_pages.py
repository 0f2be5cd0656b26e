"""The rounds' pages (/xuncha/): the landing page of inspection roles (an inspector's teams, places and dates; the
office's rounds), the rounds list and one round with constant query counts, planning a round and staffing a team."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import Role
from inspections.models import Round, Team
from inspections.services.rounds import months_after
from tests.inspections.rounds_fixtures import DAY, a_round, a_team, person
from tests.scope.matrix import BACKEND


def _sign_in(client, user):
    client.force_login(user, backend=BACKEND)


def test_inspection_roles_land_on_the_inspections_home(client, cast):
    for role in (Role.INSPECTION_OFFICE, Role.INSPECTOR):
        _sign_in(client, cast.user(role))
        assert client.get(reverse("home")).url == reverse("inspections:home")


def test_the_inspector_sees_their_team_places_and_dates(client, cast):
    _sign_in(client, cast.user(Role.INSPECTOR))
    page = client.get(reverse("inspections:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "矩阵巡察轮次 · 第一巡察组" in html and "董庄社区" in html and "您是本组组长。" in html
    (assignment,) = page.context["assignments"]
    assert assignment.phase == "stationed"
    assert f"至 {assignment.round.follow_up_until:%Y-%m-%d}（跟踪督办截止）止" in html


@pytest.mark.parametrize("starts_in, follow_in, says", [
    (5, 90, "本轮巡察尚未开始：您的查看和记录权限自"),
    (-60, -1, "本轮巡察已结束：您的权限已于"),
])
def test_an_inspector_outside_the_dates_is_told_plainly_and_sees_no_rounds(client, cast, starts_in, follow_in, says):
    member = person("dated_member")
    round_ = a_round(cast, starts_in=starts_in, days=20, follow_until=timezone.localdate() + DAY * follow_in)
    a_team(cast, round_, member, places=("C2",))
    _sign_in(client, member)
    assert client.get(reverse("home")).url == reverse("inspections:home")
    page = client.get(reverse("inspections:home"))
    assert says in page.content.decode()
    assert page.context["rows"] == [] and not page.context["reads_rounds"]
    assert client.get(reverse("inspections:rounds")).status_code == 403
    assert client.get(reverse("inspections:round", args=[round_.pk])).status_code == 404


def test_the_office_plans_a_round_and_a_double_submit_saves_once(client, cast):
    _sign_in(client, cast.user(Role.INSPECTION_OFFICE))
    page = client.get(reverse("inspections:round_create"))
    key = page.context["form"].initial["idempotency_key"]
    today = timezone.localdate()
    data = {"district": cast.place("D").code, "name": "2027年第一轮", "starts_on": today.isoformat(),
            "ends_on": (today + DAY * 29).isoformat(), "rectification_months": 2, "recheck_percent": 10,
            "idempotency_key": key}
    first = client.post(reverse("inspections:round_create"), data)
    second = client.post(reverse("inspections:round_create"), data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    round_ = Round.objects.get(name="2027年第一轮")
    assert round_.follow_up_until == months_after(today + DAY * 29, 2)  # the rectification period after its end
    detail = client.get(first.url).content.decode()
    assert "进驻中" in detail and "新建巡察组" in detail


def test_a_round_form_shows_the_services_message(client, cast):
    _sign_in(client, cast.user(Role.INSPECTION_OFFICE))
    today = timezone.localdate()
    page = client.post(reverse("inspections:round_create"), {
        "district": cast.place("D").code, "name": "倒序轮次", "starts_on": today.isoformat(),
        "ends_on": (today - DAY).isoformat(), "rectification_months": 2, "recheck_percent": 10})
    assert page.status_code == 400 and "结束日期不能早于进驻日期。" in page.content.decode()
    assert not Round.objects.filter(name="倒序轮次").exists()


def test_a_stale_round_edit_is_refused_on_the_page(client, cast):
    round_ = a_round(cast)
    _sign_in(client, cast.user(Role.INSPECTION_OFFICE))
    data = {"name": "改名", "starts_on": round_.starts_on.isoformat(), "ends_on": round_.ends_on.isoformat(),
            "follow_up_until": round_.follow_up_until.isoformat(), "rectification_months": 2, "recheck_percent": 10,
            "version": 1}
    assert client.post(reverse("inspections:round_edit", args=[round_.pk]), data).status_code == 302
    stale = client.post(reverse("inspections:round_edit", args=[round_.pk]), {**data, "name": "又改名"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    assert Round.objects.get(pk=round_.pk).name == "改名"


def test_the_office_staffs_a_team_with_the_person_search(client, cast):
    round_ = a_round(cast)
    leader, member = person("staff_leader", "王组长"), person("staff_member", "李组员")
    _sign_in(client, cast.user(Role.INSPECTION_OFFICE))
    url = reverse("inspections:team_create", args=[round_.pk])
    found = client.get(url, {"q": "王组"})
    assert [value for value, _label in found.context["form"].fields["leader"].choices][1:] == [leader.pk]
    assert "王组长" in found.content.decode() and "李组员" not in found.content.decode()
    assert "worker_G4" not in client.get(url, {"q": "G4"}).content.decode()  # the other district's people: not offered
    key = client.get(url).context["form"].initial["idempotency_key"]
    data = {"name": "第二巡察组", "leader": leader.pk, "members": [member.pk],
            "places": [cast.place("C2").pk, cast.place("S2").pk], "idempotency_key": key}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # again: saves once
    team = Team.objects.get(round=round_)
    assert team.members.get(is_leader=True).user_id == leader.pk
    detail = client.get(reverse("inspections:round", args=[round_.pk])).content.decode()
    assert "王组长" in detail and "李组员" in detail and "丁庄街道" in detail
    edit = reverse("inspections:team_edit", args=[round_.pk, team.pk])
    # the member becomes the leader and the former leader leaves, in one save
    assert client.post(edit, {"name": "第二巡察组", "leader": member.pk, "members": [],
                              "places": [cast.place("C2").pk]}).status_code == 302
    assert list(Team.objects.get(pk=team.pk).members.values_list("user_id", flat=True)) == [member.pk]
    assert Team.objects.get(pk=team.pk).members.get(is_leader=True).user_id == member.pk


def _ticked(html: str) -> dict[str, list[int]]:
    """The boxes ticked on a page: {field: [values]}."""
    boxes = re.findall(r'<input type="checkbox" name="(\w+)" value="(\d+)"[^>]*?( checked)?>', html)
    return {name: sorted(int(value) for box, value, on in boxes if box == name and on) for name in ("members", "places")}


def test_the_person_search_keeps_what_was_typed_and_saves_nothing(client, cast):
    round_ = a_round(cast)
    leader, member = person("typed_leader", "赵组长"), person("typed_member", "钱组员")
    _sign_in(client, cast.user(Role.INSPECTION_OFFICE))
    url = reverse("inspections:team_create", args=[round_.pk])
    key = client.get(url).context["form"].initial["idempotency_key"]
    typed = {"name": "第三巡察组", "members": [member.pk], "places": [cast.place("C2").pk, cast.place("S2").pk],
             "idempotency_key": key}
    page = client.post(url, {**typed, "q": "赵组", "search": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and not Team.objects.filter(round=round_).exists()
    assert 'value="第三巡察组"' in html and 'value="赵组"' in html  # the name and the search stay as typed
    form = page.context["form"]
    assert not form.errors  # nothing was checked: the leader is still to be chosen
    assert [value for value, _label in form.fields["leader"].choices][1:] == [member.pk, leader.pk]
    assert _ticked(html) == {"members": [member.pk], "places": sorted([cast.place("C2").pk, cast.place("S2").pk])}
    saved = client.post(url, {**typed, "leader": leader.pk, "save": "1"})  # then 保存 with the same key
    assert saved.status_code == 302
    team = Team.objects.get(round=round_)
    assert sorted(team.members.values_list("user_id", "is_leader")) == sorted([(leader.pk, True), (member.pk, False)])
    assert client.post(url, {**typed, "leader": leader.pk}).status_code == 302
    assert Team.objects.filter(round=round_).count() == 1  # again: saves once


def test_the_person_search_on_the_edit_page_keeps_the_changes(client, cast):
    round_ = a_round(cast)
    leader, newcomer = person("edit_leader", "孙组长"), person("edit_newcomer", "周新人")
    team = a_team(cast, round_, leader, places=("C2",), name="原组名")
    _sign_in(client, cast.user(Role.INSPECTION_OFFICE))
    url = reverse("inspections:team_edit", args=[round_.pk, team.pk])
    page = client.post(url, {"name": "新组名", "leader": leader.pk, "places": [cast.place("S2").pk],
                             "q": "周新", "search": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and 'value="新组名"' in html and "周新人" in html
    assert newcomer.pk in [value for value, _label in page.context["form"].fields["members"].choices]
    assert f'<option value="{leader.pk}" selected>' in html
    assert _ticked(html) == {"members": [], "places": [cast.place("S2").pk]}  # C2 unticked, S2 ticked, as posted
    team.refresh_from_db()
    assert team.name == "原组名" and [c.place_id for c in team.coverage.all()] == [cast.place("C2").pk]


def test_other_roles_cannot_plan_or_staff(client, cast):
    round_ = a_round(cast)
    _sign_in(client, cast.user(Role.DISTRICT_OFFICIAL))
    assert client.get(reverse("inspections:round", args=[round_.pk])).status_code == 200  # reads the district's rounds
    assert client.get(reverse("inspections:round_create")).status_code == 403
    assert client.get(reverse("inspections:round_edit", args=[round_.pk])).status_code == 403
    assert client.get(reverse("inspections:team_create", args=[round_.pk])).status_code == 403


def _rounds(cast, n: int) -> None:
    """n rounds; the first with n teams, each of a leader, a member and two places."""
    first = None
    for i in range(n):
        round_ = a_round(cast, name=f"计数轮次{i}", starts_in=-i)
        first = first or round_
        a_team(cast, first, person(f"count_leader_{i}"), members=[person(f"count_member_{i}")],
               places=("C2", "S2"), name=f"计数组{i}")


@pytest.mark.parametrize("n", [1, 4])
def test_the_rounds_pages_take_constant_queries(client, cast, django_assert_num_queries, n):
    _rounds(cast, n)
    _sign_in(client, cast.user(Role.INSPECTION_OFFICE))
    client.get(reverse("inspections:rounds"))  # warm the session
    round_ = Round.objects.get(name="计数轮次0")
    for url, count in ((reverse("inspections:rounds"), LIST_QUERIES),
                       (reverse("inspections:round", args=[round_.pk]), DETAIL_QUERIES),
                       (reverse("inspections:home"), HOME_QUERIES)):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


# The same at both sizes: session, user, grants, the menu's and the page's own (the list: its rounds; a round: the round, its
# teams, members, places; the home: assignments, rounds).
LIST_QUERIES, DETAIL_QUERIES, HOME_QUERIES = 5, 7, 6
