"""The case loop over /api/v1/: list and read through the gate, create, steps as actions, categories,
notifications."""

import uuid

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from audit.models import AccessEvent
from cases import selectors, services
from cases.api import CaseSerializer
from cases.models import Case, Notification, Source, Status

from .conftest import key


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_as(cast):
    def client_for(role_or_user):
        user = cast.user(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
        return client
    return client_for


def report(cast, categories, grid="G1"):
    return services.case_create(actor=cast.user("grid_worker") if grid == "G1" else cast.user("command_center"),
                                source=Source.PATROL if grid == "G1" else Source.HOTLINE, grid=cast.place(grid),
                                category=categories["city"], description="路灯不亮", key=key())


def test_the_loop_over_the_api(cast, categories, api_as):
    case = report(cast, categories)
    center, dept = api_as("command_center"), api_as("department_staff")
    url = f"/api/v1/cases/{case.reference}/"
    body = center.get(url).json()
    assert body["status"] == "reported" and body["steps"] == ["accept", "cancel", "supervise"]
    body = center.post(url + "accept/", {"version": body["version"]}, format="json").json()
    body = center.post(url + "dispatch/", {"version": body["version"]}, format="json").json()
    assert body["status"] == "dispatched" and body["department_name"] == "城市管理" and body["deadline"]
    body = dept.post(url + "send-back/", {"version": body["version"], "note": "非本部门职责"}, format="json").json()
    assert body["status"] == "returned" and body["returns"] == 1
    assert [e["action"] for e in body["events"]] == ["create", "accept", "dispatch", "send_back"]


def test_a_stale_version_answers_409_and_changes_nothing(cast, categories, api_as):
    case = report(cast, categories)
    center = api_as("command_center")
    url = f"/api/v1/cases/{case.reference}/"
    center.post(url + "accept/", {"version": case.version}, format="json")
    response = center.post(url + "cancel/", {"version": case.version, "note": "重复"}, format="json")
    assert response.status_code == 409 and "刷新" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == Status.FILED


def test_a_step_without_version_or_by_the_wrong_role_is_refused(cast, categories, api_as):
    case = report(cast, categories)
    url = f"/api/v1/cases/{case.reference}/accept/"
    assert api_as("command_center").post(url, {}, format="json").status_code == 400
    response = api_as("department_staff").post(url, {"version": case.version}, format="json")
    # the department cannot even see a case not dispatched to it
    assert response.status_code == 404
    response = api_as("grid_worker").post(url, {"version": case.version}, format="json")
    assert response.status_code == 403 and "立案" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == Status.REPORTED


def test_a_retried_step_with_the_same_idempotency_key_answers_the_same(cast, categories, api_as):
    case = report(cast, categories)
    center = api_as("command_center")
    url = f"/api/v1/cases/{case.reference}/accept/"
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = center.post(url, {"version": case.version}, format="json", headers=headers)
    second = center.post(url, {"version": case.version}, format="json", headers=headers)
    assert first.status_code == second.status_code == 200
    assert case.events.filter(action="accept").count() == 1


def test_create_by_the_hotline_with_a_key_saves_once(cast, categories, api_as):
    center = api_as("command_center")
    body = {"source": "hotline", "grid": cast.place("G2").code, "category": categories["city"].pk,
            "description": "热线：小区噪声", "resident_mobile": "13812345678"}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = center.post("/api/v1/cases/", body, format="json", headers=headers)
    second = center.post("/api/v1/cases/", body, format="json", headers=headers)
    assert first.status_code == 201 and first.json()["status"] == "filed"
    assert first.json()["reference"] == second.json()["reference"]
    bad = center.post("/api/v1/cases/", {**body, "resident_mobile": "123"}, format="json")
    assert bad.status_code == 400 and "11 位手机号码" in str(bad.json())


def test_the_list_is_scoped_and_filtered(cast, categories, api_as):
    mine = report(cast, categories)
    elsewhere = report(cast, categories, grid="G3")
    refs = {row["reference"] for row in api_as("grid_worker").get("/api/v1/cases/").json()["results"]}
    assert refs == {mine.reference}
    refs = {row["reference"] for row in api_as("command_center").get("/api/v1/cases/?status=filed").json()["results"]}
    assert refs == {elsewhere.reference}
    assert api_as("department_staff").get("/api/v1/cases/").json()["results"] == []


def test_a_list_row_says_what_the_case_page_of_the_api_says(cast, categories, api_as):
    # The list is answered from plain rows (CaseRowSerializer): each documented field, formatted as the detail's.
    dispatched, filed = report(cast, categories, grid="G3"), report(cast, categories, grid="G3")
    services.case_act(actor=cast.user("command_center"), case=dispatched, action="dispatch",
                      version=dispatched.version)
    center = api_as("command_center")
    rows = center.get("/api/v1/cases/").json()["results"]
    assert {row["reference"] for row in rows} == {dispatched.reference, filed.reference}
    for row in rows:
        detail = center.get(f"/api/v1/cases/{row['reference']}/").json()
        assert row == {name: detail[name] for name in row}
        assert set(row) == set(CaseSerializer.Meta.fields)
    by_reference = {row["reference"]: row for row in rows}
    assert by_reference[dispatched.reference]["department_name"] == "城市管理"
    assert by_reference[dispatched.reference]["deadline"] and by_reference[dispatched.reference]["dispatched_at"]
    assert by_reference[filed.reference]["department_name"] == "" and by_reference[filed.reference]["deadline"] is None


@pytest.mark.parametrize("size", [1, 10])
def test_the_case_list_costs_the_same_queries_whatever_the_volume(cast, categories, api_as, size,
                                                                  django_assert_num_queries):
    for _ in range(size):
        report(cast, categories)
    client = api_as("command_center")
    with django_assert_num_queries(3):  # token with its user, grants, the page
        assert len(client.get("/api/v1/cases/").json()["results"]) == size


def test_categories_and_own_notifications(cast, categories, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report(cast, categories)
    center = api_as("command_center")
    codes = {row["code"] for row in center.get("/api/v1/categories/").json()["results"]}
    assert codes == {"shirong", "wuran"}
    rows = center.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [row["case"] for row in rows] == [case.reference]
    assert api_as("department_staff").get("/api/v1/notifications/").json()["results"] == []
    assert center.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert not Notification.objects.filter(user=cast.user("command_center"), read_at__isnull=True).exists()


# ---------------------------------------------------------------------------------------------- search (q)


def test_q_finds_by_reference_mobile_and_words_as_the_pages_do_and_a_department_finds_only_its_own(
        cast, categories, api_as, other_department_staff):
    center_user = cast.user("command_center")
    mine = services.case_create(actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place("G1"),
                                category=categories["city"], description="东门路灯不亮", key=key(),
                                resident_mobile="13812345678")
    services.case_accept_dispatch(actor=center_user, case=mine, version=mine.version, key=key())
    theirs = services.case_create(actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place("G1"),
                                  category=categories["pollution"], description="西门河道污染", key=key(),
                                  resident_mobile="13912345678", address="魏都路 12 号")
    services.case_accept_dispatch(actor=center_user, case=theirs, version=theirs.version, key=key())

    def found(who, q):
        response = who.get("/api/v1/cases/", {"q": q})
        assert response.status_code == 200, response.content
        return {row["reference"] for row in response.json()["results"]}

    center, dept, other = api_as("command_center"), api_as("department_staff"), api_as(other_department_staff)
    assert found(center, mine.reference) == {mine.reference}
    assert found(center, "13812345678") == {mine.reference}
    assert found(center, "138123") == set()  # a part of a number is a word, never a prefix of mobiles
    assert found(center, "路灯 东门") == {mine.reference} and found(center, "魏都路") == {theirs.reference}
    # The same answers as the pages' selector, for every role and text.
    for user in (center_user, cast.user("department_staff"), other_department_staff):
        for text in (mine.reference, theirs.reference, "13912345678", "河道", "路灯"):
            via_pages = {c.reference for c in selectors.case_list(user, selectors.CaseFilter(
                search=selectors.Search.parse(text)))}
            assert found(api_as(user), text) == via_pages
    # Scope: 城市管理 does not find 生态环境's case by its reference, its caller's mobile or its words.
    assert found(dept, theirs.reference) == set() and found(dept, "13912345678") == set()
    assert found(dept, "河道") == set() and found(dept, "路灯") == {mine.reference}
    assert found(other, "13912345678") == {theirs.reference} and found(other, "13812345678") == set()
    # Combined with the other filters; a mobile search is an access event, as on the page.
    assert found(center, "13912345678") == {theirs.reference}
    assert center.get("/api/v1/cases/", {"q": "13912345678", "status": "filed"}).json()["results"] == []
    assert AccessEvent.objects.filter(user=center_user, kind="personal_read",
                                      target="cases.Case:mobile-search").exists()


def test_q_too_short_answers_400_in_words(cast, api_as):
    response = api_as("command_center").get("/api/v1/cases/", {"q": "门"})
    assert response.status_code == 400 and "至少 2 个字" in str(response.json())


@pytest.mark.parametrize("size", [1, 5])
def test_q_costs_the_same_queries_whatever_the_volume(cast, categories, api_as, size, django_assert_num_queries):
    for _i in range(size):
        report(cast, categories)
    center = api_as("command_center")
    center.get("/api/v1/cases/", {"q": "路灯"})
    with django_assert_num_queries(3):  # token and user, grants, the page (keyset: no count)
        assert len(center.get("/api/v1/cases/", {"q": "路灯"}).json()["results"]) == size
