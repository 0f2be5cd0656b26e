"""/api/v1/rechecks/ and POST /api/v1/inspection-rounds/{id}/draw/: the office draws (retries and keys give the same
draw), re-checks are read as the round's report shows them, and a result is recorded once by the office or the team
— never by the owner unit, which is refused with the service's reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grids.models import Role
from inspections.models import Recheck, RecheckDraw, RecheckResult, Rectification, TaskStatus
from inspections.services import rechecks
from tests.scope.matrix import BACKEND

from .reports_world import world

LIST = "api:recheck-list"
KEY = "5b0c3f4e-2d1a-4c9b-8e7f-6a5b4c3d2e1f"


def _as(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def _draw_url(round_):
    return reverse("api:inspection-round-draw", args=[round_.pk])


def _record(client, recheck, **body):
    return client.post(reverse("api:recheck-record", args=[recheck.pk]), body, content_type="application/json")


def _one(cast, ticked=3):
    round_, _tasks = world(cast, ticked=ticked, percent=10)
    rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_, seed="api")
    return round_, Recheck.objects.get(round=round_)


def test_the_office_draws_once_per_number_and_per_key(client, cast):
    round_, tasks = world(cast, ticked=4, percent=50)
    _as(client, cast.user(Role.INSPECTION_OFFICE))
    first = client.post(_draw_url(round_), {"seed": "20261130", "number": 1}, content_type="application/json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["number"], body["size"], body["seed"]) == (1, 2, "20261130")
    assert sorted(body["candidates"]) == sorted(t.pk for t in tasks) and len(body["tasks"]) == 2
    again = client.post(_draw_url(round_), {"seed": "other", "number": 1}, content_type="application/json")
    assert again.status_code == 201 and again.json() == body
    keyed = client.post(_draw_url(round_), {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    retried = client.post(_draw_url(round_), {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert keyed.status_code == retried.status_code == 201 and keyed.json() == retried.json()
    assert keyed.json()["number"] == 2
    assert RecheckDraw.objects.filter(round=round_).count() == 2 and Recheck.objects.filter(round=round_).count() == 3


def test_a_draw_with_nothing_left_or_bad_input_is_refused(client, cast):
    round_, _tasks = world(cast, ticked=0, open_=1)
    _as(client, cast.user(Role.INSPECTION_OFFICE))
    empty = client.post(_draw_url(round_), {}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["detail"] == ["本轮没有尚未抽查的已销号任务。"]
    assert client.post(_draw_url(round_), {"number": "one"}, content_type="application/json").status_code == 400
    assert client.post(_draw_url(round_), {"number": 0}, content_type="application/json").status_code == 400
    assert not RecheckDraw.objects.exists()


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.DISTRICT_OFFICIAL, Role.COMMUNITY_OFFICIAL])
def test_only_the_office_draws(client, cast, role):
    round_, _tasks = world(cast, ticked=2)
    assert _as(client, cast.user(role)).post(_draw_url(round_), {}, content_type="application/json").status_code == 403
    assert not RecheckDraw.objects.exists()


def test_rechecks_are_read_as_the_report_shows_them(client, cast):
    round_, recheck = _one(cast)
    detail = reverse("api:recheck-detail", args=[recheck.pk])
    for role in (Role.INSPECTION_OFFICE, Role.INSPECTOR, Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL):
        _as(client, cast.user(role))
        assert client.get(detail).status_code == 200, role
        assert [r["id"] for r in client.get(reverse(LIST), {"round": round_.pk}).json()["results"]] == [recheck.pk]
    for role in (Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.COMMAND_CENTER):
        _as(client, cast.user(role))
        assert client.get(detail).status_code == 404, role
        assert client.get(reverse(LIST)).json()["results"] == []
    body = _as(client, cast.user(Role.INSPECTION_OFFICE)).get(detail).json()
    assert (body["task"], body["result"], body["place"], body["draw_number"]) == (
        recheck.task_id, "pending", cast.place("C1").code, 1)
    assert client.get(reverse(LIST), {"result": "nonsense"}).status_code == 400


def test_the_team_records_a_failed_recheck_once_and_the_task_reopens(client, cast):
    _round, recheck = _one(cast)
    _as(client, cast.user(Role.INSPECTOR))
    assert _record(client, recheck, result="failed").json()["note"] == ["核查不属实时须写明核查情况。"]
    assert _record(client, recheck, result="maybe").status_code == 400
    assert _record(client, recheck, result="passed", note="x" * 1001).status_code == 400
    first = _record(client, recheck, result="failed", note="走访 5 户，3 户不知情。")
    assert first.status_code == 200, first.content
    assert (first.json()["result"], first.json()["checked_by_name"]) == ("failed", cast.user(Role.INSPECTOR).display_name)
    again = _record(client, recheck, result="failed", note="走访 5 户，3 户不知情。")
    assert again.status_code == 200 and again.json() == first.json()
    task = Rectification.objects.get(pk=recheck.task_id)
    assert task.status == TaskStatus.REOPENED and task.reopen_count == 1
    other = _record(client, recheck, result="passed")
    assert other.status_code == 400 and other.json()["detail"] == ["该任务的核查结果已经记录。"]


def test_the_owner_unit_is_refused_with_the_reason(client, cast):
    _round, recheck = _one(cast)
    response = _record(_as(client, cast.user(Role.COMMUNITY_OFFICIAL)), recheck, result="passed")
    assert response.status_code == 403 and response.json()["detail"] == "责任单位的人员不能核查本单位的整改任务。"
    assert _record(_as(client, cast.user(Role.STREET_OFFICIAL)), recheck, result="passed").status_code == 403
    assert Recheck.objects.get(pk=recheck.pk).result == RecheckResult.PENDING


@pytest.mark.parametrize("n", [1, 4])
def test_the_list_takes_constant_queries(client, cast, django_assert_max_num_queries, n):
    round_, _tasks = world(cast, ticked=n, percent=100)
    rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_)
    _as(client, cast.user(Role.INSPECTION_OFFICE))
    client.get(reverse(LIST))
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(reverse(LIST)).json()["results"]) == n


LIST_QUERIES = 5  # session, user, grants, the page of re-checks (with draw, checker, task, place and owner)


def test_the_admin_shows_draws_and_rechecks_read_only(client, cast):
    round_, recheck = _one(cast)
    _as(client, cast.user(Role.DISTRICT_OFFICIAL))
    rows = client.get(reverse("admin:inspections_recheck_changelist")).context["cl"].result_list
    assert [r.pk for r in rows] == [recheck.pk]
    draws = client.get(reverse("admin:inspections_recheckdraw_changelist")).context["cl"].result_list
    assert [d.round_id for d in draws] == [round_.pk]
    change = client.get(reverse("admin:inspections_recheck_change", args=[recheck.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    _as(client, cast.user(Role.COMMAND_CENTER))
    assert list(client.get(reverse("admin:inspections_recheck_changelist")).context["cl"].result_list) == []
