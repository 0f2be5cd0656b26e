"""/api/v1/inspection-rounds/: gated lists with teams nested (members by name, places by code), filters, keyset
pages with constant queries, creates and edits through the services (idempotent, versioned)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import Role
from inspections.models import Round
from tests.inspections.rounds_fixtures import DAY, a_round, a_team, person
from tests.scope.matrix import BACKEND

LIST = "api:inspection-round-list"


def _as(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def test_a_round_lists_its_teams_members_and_places(client, cast):
    round_ = a_round(cast, name="接口轮次")
    a_team(cast, round_, person("api_leader", "赵组长"), members=[person("api_member", "钱组员")], places=("S2", "C2"))
    body = _as(client, cast.user(Role.INSPECTION_OFFICE)).get(reverse(LIST), {"district": cast.place("D").code}).json()
    row = next(r for r in body["results"] if r["id"] == round_.pk)
    assert row["phase"] == "stationed" and row["district"] == cast.place("D").code
    (team,) = row["teams"]
    assert team["leader"] == "赵组长" and team["members"] == ["赵组长", "钱组员"]
    assert team["coverage"] == sorted([cast.place("S2").code, cast.place("C2").code])
    assert "mobile" not in str(team)


def test_running_filters_by_date(client, cast):
    later = a_round(cast, name="下月轮次", starts_in=40, days=10)
    _as(client, cast.user(Role.INSPECTION_OFFICE))
    today = timezone.localdate()
    ids = {r["id"] for r in client.get(reverse(LIST), {"running": today.isoformat()}).json()["results"]}
    assert later.pk not in ids and ids  # the cast's round runs today
    ids = {r["id"] for r in client.get(reverse(LIST), {"running": (today + DAY * 45).isoformat()}).json()["results"]}
    assert later.pk in ids


def test_an_inspector_whose_round_has_not_started_sees_no_round(client, cast):
    member = person("api_early")
    round_ = a_round(cast, name="未开始轮次", starts_in=3)
    a_team(cast, round_, member)
    _as(client, member)
    assert client.get(reverse(LIST)).json()["results"] == []
    assert client.get(reverse("api:inspection-round-detail", args=[round_.pk])).status_code == 404


def test_the_office_creates_once_and_edits_with_its_version(client, cast):
    _as(client, cast.user(Role.INSPECTION_OFFICE))
    today = timezone.localdate()
    body = {"district": cast.place("D").code, "name": "接口新轮次", "starts_on": today.isoformat(),
            "ends_on": (today + DAY * 29).isoformat(), "recheck_percent": 15}
    key = "8e1c2d3b-4a5f-4e6d-9c7b-1a2b3c4d5e6f"
    first = client.post(reverse(LIST), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(reverse(LIST), body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Round.objects.filter(name="接口新轮次").count() == 1
    url = reverse("api:inspection-round-detail", args=[first.json()["id"]])
    assert client.patch(url, {"name": "接口改名", "version": 1}, content_type="application/json").status_code == 200
    stale = client.patch(url, {"name": "再改名", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    bad = client.patch(url, {"ends_on": (today - DAY).isoformat()}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["ends_on"] == ["结束日期不能早于进驻日期。"]
    assert Round.objects.get(pk=first.json()["id"]).name == "接口改名"


def test_an_official_reads_but_does_not_write(client, cast):
    round_ = a_round(cast)
    _as(client, cast.user(Role.DISTRICT_OFFICIAL))
    url = reverse("api:inspection-round-detail", args=[round_.pk])
    assert client.get(url).status_code == 200
    assert client.patch(url, {"name": "越权"}, content_type="application/json").status_code == 403


@pytest.mark.parametrize("n", [1, 5])
def test_the_list_takes_constant_queries(client, cast, django_assert_num_queries, n):
    for i in range(n):
        round_ = a_round(cast, name=f"接口计数{i}", starts_in=-i)
        a_team(cast, round_, person(f"api_count_{i}"), members=[person(f"api_count_m_{i}")], places=("C2", "S2"))
    _as(client, cast.user(Role.INSPECTION_OFFICE))
    client.get(reverse(LIST))
    with django_assert_num_queries(API_LIST_QUERIES):
        assert len(client.get(reverse(LIST), {"page_size": 3}).json()["results"]) == min(n + 1, 3)


API_LIST_QUERIES = 7  # session, user, grants, the page of rounds, their teams, members, places
