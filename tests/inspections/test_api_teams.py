"""POST /api/v1/inspection-rounds/{id}/teams/ and PATCH …/teams/{team_id}/: the inspection office staffs a round's
teams through the services the pages call; a retried create makes one team, a stale version answers 409, bad input
a clear message with nothing saved."""

from __future__ import annotations

from django.urls import reverse

from grids.models import Role
from inspections.models import Coverage, Team, TeamMember
from tests.inspections.rounds_fixtures import a_round, a_team, office, person
from tests.scope.matrix import BACKEND

KEY = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


def _as(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def _teams_url(round_):
    return reverse("api:inspection-round-teams", args=[round_.pk])


def _team_url(team):
    return reverse("api:inspection-round-team", args=[team.round_id, team.pk])


def _patch(client, team, body, **headers):
    return client.patch(_team_url(team), body, content_type="application/json", **headers)


def test_the_office_creates_a_team_once(client, cast):
    round_ = a_round(cast, name="接口组轮次")
    leader, member = person("t_leader", "孙组长"), person("t_member", "李组员")
    body = {"name": "第二巡察组", "leader": leader.pk, "members": [member.pk],
            "coverage": [cast.place("S2").code, cast.place("C2").code]}
    _as(client, office(cast))
    first = client.post(_teams_url(round_), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code == 201, first.content
    team = first.json()
    assert (team["name"], team["leader"], team["leader_id"]) == ("第二巡察组", "孙组长", leader.pk)
    assert team["member_ids"] == [leader.pk, member.pk]
    assert team["coverage"] == sorted([cast.place("S2").code, cast.place("C2").code])
    assert first["ETag"] == f'"{team["version"]}"'
    again = client.post(_teams_url(round_), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert again.status_code == 201 and again.json()["id"] == team["id"]
    assert Team.objects.filter(round=round_).count() == 1
    listed = client.get(reverse("api:inspection-round-detail", args=[round_.pk])).json()["teams"]
    assert listed == [team]


def test_bad_team_input_is_refused_and_nothing_is_saved(client, cast):
    round_ = a_round(cast, name="错误输入轮次")
    taken = person("t_taken", "已在组")
    a_team(cast, round_, taken, places=("C2",), name="第一组")
    leader = person("t_new", "新组长")
    _as(client, office(cast))

    def refused(body):
        response = client.post(_teams_url(round_), {"name": "第二组", "leader": leader.pk,
                                                    "coverage": [cast.place("C3").code], **body},
                               content_type="application/json")
        assert response.status_code == 400, response.content
        return response.json()

    assert refused({"coverage": [cast.place("G1").code]})["places"] == [f"{cast.place('G1').name} 不是本区的街道或社区。"]
    assert refused({"coverage": [cast.place("D2").code]})["coverage"] == ["地点不存在或无权访问。"]  # another district
    assert refused({"coverage": []})["places"] == ["请选择该组巡察的街道或社区。"]
    assert refused({"coverage": ["999"]})["coverage"] == ["地点不存在或无权访问。"]
    assert refused({"members": [taken.pk]})["members"] == ["已在组 已在本轮的另一个巡察组。"]
    assert refused({"leader": 99999999})["leader"] == ["人员不存在或无权访问。"]
    assert "name" in refused({"name": ""})
    assert "leader" in refused({"leader": None})
    assert Team.objects.filter(round=round_).count() == 1


def test_the_office_changes_a_team_with_the_version_it_read(client, cast):
    round_ = a_round(cast, name="改组轮次")
    leader, member, newcomer = person("p_leader", "周组长"), person("p_member", "吴组员"), person("p_new", "郑组员")
    team = a_team(cast, round_, leader, members=[member], places=("C2",))
    _as(client, office(cast))
    read = client.get(reverse("api:inspection-round-detail", args=[round_.pk])).json()["teams"][0]
    changed = _patch(client, team, {"version": read["version"], "name": "改名组", "leader": member.pk,
                                    "members": [member.pk, newcomer.pk], "coverage": [cast.place("S2").code]})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["name"], body["leader_id"], sorted(body["member_ids"])) == ("改名组", member.pk,
                                                                            sorted([member.pk, newcomer.pk]))
    assert body["coverage"] == [cast.place("S2").code] and body["version"] != read["version"]
    assert not TeamMember.objects.filter(team=team, user=leader).exists()
    stale = _patch(client, team, {"version": read["version"], "name": "晚到的改名"})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    by_header = _patch(client, team, {"name": "按版本头改名"}, HTTP_IF_MATCH=f'"{body["version"]}"')
    assert by_header.status_code == 200 and by_header.json()["name"] == "按版本头改名"
    assert _patch(client, team, {"name": "再晚"}, HTTP_IF_MATCH=f'"{body["version"]}"').status_code == 409
    assert Team.objects.get(pk=team.pk).name == "按版本头改名"


def test_a_bad_change_saves_nothing(client, cast):
    round_ = a_round(cast, name="坏改组轮次")
    leader = person("b_leader", "王组长")
    team = a_team(cast, round_, leader, places=("C2",))
    _as(client, office(cast))
    response = _patch(client, team, {"name": "半途改名", "coverage": []})
    assert response.status_code == 400 and response.json()["places"] == ["巡察组至少须覆盖一个街道或社区。"]
    assert Team.objects.get(pk=team.pk).name == "测试巡察组"
    assert list(Coverage.objects.filter(team=team).values_list("place__code", flat=True)) == [cast.place("C2").code]
    assert _patch(client, team, {"version": "x"}).status_code == 400
    assert _patch(client, team, {"name": "x"}, HTTP_IF_MATCH='"abc"').status_code == 400


def test_others_may_not_staff_and_teams_of_other_rounds_are_missing(client, cast):
    round_, other = a_round(cast, name="甲轮次"), a_round(cast, name="乙轮次")
    team = a_team(cast, round_, person("o_leader"), places=("C2",))
    _as(client, cast.user(Role.DISTRICT_OFFICIAL))  # reads the round, does not staff it
    assert _patch(client, team, {"name": "越权"}).status_code == 403
    body = {"name": "越权组", "leader": cast.user(Role.DISTRICT_OFFICIAL).pk, "coverage": [cast.place("C2").code]}
    assert client.post(_teams_url(round_), body, content_type="application/json").status_code == 403
    _as(client, cast.user(Role.GRID_WORKER))  # does not see rounds at all
    assert _patch(client, team, {"name": "越权"}).status_code == 404
    _as(client, office(cast))
    wrong = reverse("api:inspection-round-team", args=[other.pk, team.pk])
    assert client.patch(wrong, {"name": "错轮次"}, content_type="application/json").status_code == 404
    assert Team.objects.get(pk=team.pk).name == "测试巡察组"
