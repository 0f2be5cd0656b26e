"""The ledger over the API: patrols and visits from a phone, the register, daily reports and covert checks."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from grids import services
from grids.models import Role, User
from ledger import services as ledger
from ledger.models import Household, Patrol, SpotCheck, Visit, VisitPhoto
from ledger.reports import daily_report_build

ID_NUMBER = "11010519491231002X"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(cast):
    return cast.user(Role.GRID_WORKER)


@pytest.fixture
def household(cast):
    return ledger.household_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"), address="幸福路 1 号",
                                   unit="1单元", room="101", residents=2)


def _photo(color=(10, 120, 200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _start(client, grid, key=None):
    return client.post(reverse("api:patrol-list"), {"grid": grid.code, "client_id": str(key or uuid.uuid4())},
                       format="json")


def _patrol(cast, user, key="G1") -> Patrol:
    return ledger.patrol_start(actor=user, grid=cast.place(key), client_id=uuid.uuid4())


def _visit(user, patrol, **kw) -> Visit:
    return ledger.visit_record(actor=user, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol", **kw)


# ---------------------------------------------------------------------------------------------- patrols and visits


def test_grid_worker_patrols_and_visits_from_a_phone_and_retries_change_nothing(cast, api_as, worker, household):
    client = api_as(Role.GRID_WORKER)
    patrol_key, visit_key = uuid.uuid4(), uuid.uuid4()

    started = _start(client, cast.place("G1"), patrol_key)
    again = _start(client, cast.place("G1"), patrol_key)
    assert started.status_code == again.status_code == 201
    assert started.json()["id"] == again.json()["id"] and Patrol.objects.count() == 1
    assert started.json()["is_open"] is True and started.json()["visit_count"] == 0
    patrol_id = started.json()["id"]

    def post_visit():
        return client.post(reverse("api:visit-list"), {
            "patrol": patrol_id, "client_id": str(visit_key), "visit_type": "household", "household": household.pk,
            "category": "safety", "finding": "楼道堆放杂物", "action": "已通知清理", "settled": "false",
            "photos": [_photo()],
        }, format="multipart")

    first, retry = post_visit(), post_visit()
    assert first.status_code == retry.status_code == 201, first.json()
    assert first.json()["id"] == retry.json()["id"]
    assert Visit.objects.count() == 1 and VisitPhoto.objects.count() == 1
    body = first.json()
    assert body["client_id"] == str(visit_key) and body["grid"] == cast.place("G1").code
    assert body["worker_name"] == worker.display_name and body["household_label"] == str(household)
    assert body["category_name"] == "安全隐患" and body["is_open_finding"] is True and body["settled"] is False
    assert len(body["photos"]) == 1 and body["photos"][0]["thumbnail"].startswith("http://testserver/media/visits/")

    ended = client.post(reverse("api:patrol-end", args=[patrol_id]),
                        {"route": [[113.11, 34.71, 1], [113.12, 34.72, 2]]}, format="json")
    assert ended.status_code == 200, ended.json()
    assert ended.json()["is_open"] is False and ended.json()["duration_seconds"] >= 0
    assert ended.json()["visit_count"] == 1 and len(ended.json()["route"]) == 2


def test_a_visit_in_json_without_photos_defaults_to_settled(cast, api_as, worker):
    patrol = _patrol(cast, worker)
    answer = api_as(Role.GRID_WORKER).post(reverse("api:visit-list"), {
        "patrol": patrol.pk, "client_id": str(uuid.uuid4()), "visit_type": "patrol", "finding": "一切正常",
    }, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["settled"] is True and answer.json()["photos"] == []


def test_multipart_visit_without_settled_means_settled(cast, api_as, worker):
    patrol = _patrol(cast, worker)
    answer = api_as(Role.GRID_WORKER).post(reverse("api:visit-list"), {
        "patrol": patrol.pk, "client_id": str(uuid.uuid4()), "visit_type": "patrol", "category": "safety",
    }, format="multipart")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["settled"] is True


def test_grid_worker_cannot_visit_a_household_of_another_grid(cast, api_as, worker):
    elsewhere = ledger.household_create(actor=cast.admin, grid=cast.place("G1b"), address="别处路 9 号")
    patrol = _patrol(cast, worker)
    answer = api_as(Role.GRID_WORKER).post(reverse("api:visit-list"), {
        "patrol": patrol.pk, "client_id": str(uuid.uuid4()), "visit_type": "household", "household": elsewhere.pk,
    }, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"household": ["住户不存在或无权访问。"]}
    assert not Visit.objects.exists()


def test_a_visible_household_of_another_grid_is_refused_by_the_service(cast, api_as, worker):
    # A worker serving both grids sees the G1b household but patrols G1: the service's rule answers.
    services.membership_create(actor=cast.admin, user=worker, role=Role.GRID_WORKER, place=cast.place("G1b"))
    elsewhere = ledger.household_create(actor=cast.admin, grid=cast.place("G1b"), address="别处路 9 号")
    patrol = _patrol(cast, User.objects.get(pk=worker.pk))
    answer = api_as(Role.GRID_WORKER).post(reverse("api:visit-list"), {
        "patrol": patrol.pk, "client_id": str(uuid.uuid4()), "visit_type": "household", "household": elsewhere.pk,
    }, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"household": ["该住户不在本网格内，只能走访本网格的住户。"]}


def test_grid_worker_cannot_patrol_another_grid(cast, api_as):
    # G1b is not even visible to G1's worker: it is named like a missing place.
    answer = _start(api_as(Role.GRID_WORKER), cast.place("G1b"))
    assert answer.status_code == 400
    assert answer.json() == {"grid": ["地点不存在或无权访问。"]}
    assert not Patrol.objects.exists()


def test_a_visible_grid_one_does_not_patrol_is_refused(cast, api_as):
    # The community official sees G1b but patrols nowhere: the service refuses (403).
    answer = _start(api_as(Role.COMMUNITY_OFFICIAL), cast.place("G1b"))
    assert answer.status_code == 403
    assert not Patrol.objects.exists()


def test_a_second_open_patrol_is_refused_with_the_message(cast, api_as):
    client = api_as(Role.GRID_WORKER)
    assert _start(client, cast.place("G1")).status_code == 201
    answer = _start(client, cast.place("G1"))
    assert answer.status_code == 400
    assert answer.json() == {"detail": ["您已有一次未结束的巡查，请先结束它。"]}


def test_only_the_worker_ends_their_patrol(cast, api_as, worker):
    patrol = _patrol(cast, worker)
    url = reverse("api:patrol-end", args=[patrol.pk])
    assert api_as(Role.GRID_HEAD).post(url, {}, format="json").status_code == 403  # the service refuses
    assert api_as(Role.STREET_OFFICIAL).post(url, {}, format="json").status_code == 403  # the gate refuses
    assert api_as(Role.DEPARTMENT_STAFF).post(url, {}, format="json").status_code == 404
    assert Patrol.objects.get(pk=patrol.pk).ended_at is None


def test_a_patrol_cannot_end_before_it_starts(cast, api_as, worker):
    patrol = _patrol(cast, worker)
    early = (patrol.started_at - timezone.timedelta(minutes=1)).isoformat()
    answer = api_as(Role.GRID_WORKER).post(reverse("api:patrol-end", args=[patrol.pk]), {"ended_at": early},
                                           format="json")
    assert answer.status_code == 400
    assert answer.json() == {"ended_at": ["巡查结束时间不能早于开始时间。"]}


def test_street_official_lists_the_visits_of_their_street_only(cast, api_as, worker):
    own = _visit(worker, _patrol(cast, worker))
    other_worker = User.objects.get(username="worker_G3")
    other = _visit(other_worker, _patrol(cast, other_worker, "G3"))
    client = api_as(Role.STREET_OFFICIAL)
    listed = [row["id"] for row in client.get(reverse("api:visit-list")).json()["results"]]
    assert listed == [own.pk]
    assert client.get(reverse("api:visit-detail", args=[other.pk])).status_code == 404
    patrols = [row["grid"] for row in client.get(reverse("api:patrol-list")).json()["results"]]
    assert patrols == [cast.place("G1").code]


def test_visit_filters(cast, api_as, worker):
    patrol = _patrol(cast, worker)
    found = _visit(worker, patrol, category=ledger.FindingCategory.objects.get(code="safety"), settled=False)
    _visit(worker, patrol)
    client = api_as(Role.DISTRICT_OFFICIAL)
    url = reverse("api:visit-list")

    def ids(**params):
        answer = client.get(url, params)
        assert answer.status_code == 200, answer.json()
        return [row["id"] for row in answer.json()["results"]]

    today = timezone.localdate().isoformat()
    assert ids(open="true") == [found.pk] and ids(category="safety") == [found.pk]
    assert len(ids(date_after=today, date_before=today, under=cast.place("C1").code, worker=worker.pk)) == 2
    assert ids(grid=cast.place("G3").code) == [] and ids(date_before="2020-01-01") == []


def test_department_staff_see_no_households_patrols_or_visits(cast, api_as, worker, household):
    _visit(worker, _patrol(cast, worker))
    client = api_as(Role.DEPARTMENT_STAFF)
    for basename in ("household", "site", "patrol", "visit", "daily-report"):
        answer = client.get(reverse(f"api:{basename}-list"))
        assert answer.status_code == 200 and answer.json()["results"] == [], basename
    assert client.get(reverse("api:household-detail", args=[household.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------- register


def test_grid_worker_registers_and_edits_a_household(cast, api_as):
    client = api_as(Role.GRID_WORKER)
    created = client.post(reverse("api:household-list"), {
        "grid": cast.place("G1").code, "building": cast.place("B1").code, "address": "幸福路 2 号", "room": "202",
        "residents": 3, "tags": ["elderly_alone"] if _tag_exists("elderly_alone") else [],
    }, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["grid"] == cast.place("G1").code and body["building"] == cast.place("B1").code
    url = reverse("api:household-detail", args=[body["id"]])
    changed = client.patch(url, {"head_name": "张三", "version": body["version"]}, format="json")
    assert changed.status_code == 200 and changed.json()["head_name"] == "张三"
    stale = client.patch(url, {"head_name": "李四", "version": body["version"]}, format="json")
    assert stale.status_code == 409


def _tag_exists(code):
    from ledger.models import HouseholdTag

    return HouseholdTag.objects.filter(code=code).exists()


def test_household_tags_are_set_and_filtered_by_code(cast, api_as, household):
    from ledger.models import HouseholdTag

    tag = HouseholdTag.objects.first()
    client = api_as(Role.GRID_HEAD)
    url = reverse("api:household-detail", args=[household.pk])
    assert client.patch(url, {"tags": [tag.code]}, format="json").json()["tags"] == [tag.code]
    listed = client.get(reverse("api:household-list"), {"tag": tag.code}).json()["results"]
    assert [row["id"] for row in listed] == [household.pk]
    assert client.patch(url, {"tags": ["no-such-tag"]}, format="json").status_code == 400


def test_household_read_only_and_invisible(cast, api_as, household):
    url = reverse("api:household-detail", args=[household.pk])
    assert api_as(Role.COMMAND_CENTER).get(url).status_code == 200
    assert api_as(Role.COMMAND_CENTER).patch(url, {"head_name": "王五"}, format="json").status_code == 403
    elsewhere = ledger.household_create(actor=cast.admin, grid=cast.place("G1b"), address="别处路 9 号")
    hidden = reverse("api:household-detail", args=[elsewhere.pk])
    assert api_as(Role.GRID_WORKER).patch(hidden, {"head_name": "王五"}, format="json").status_code == 404
    assert Household.objects.get(pk=household.pk).head_name == ""


def test_id_numbers_are_refused_unless_allowed(cast, api_as):
    answer = api_as(Role.GRID_HEAD).post(reverse("api:household-list"), {
        "grid": cast.place("G1").code, "address": "甲路 1 号", "id_number": ID_NUMBER,
    }, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"id_number": ["本系统未开启身份证号存储，请不要填写身份证号。"]}


def test_id_number_is_never_answered_in_full(cast, api_as, settings):
    settings.STORE_ID_NUMBERS = True
    client = api_as(Role.GRID_HEAD)
    created = client.post(reverse("api:household-list"), {
        "grid": cast.place("G1").code, "address": "甲路 1 号", "id_number": ID_NUMBER,
    }, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["id_number_masked"] == "110105********002X" and "id_number" not in created.json()
    pages = [
        created,
        client.get(reverse("api:household-detail", args=[created.json()["id"]])),
        client.get(reverse("api:household-list")),
        client.patch(reverse("api:household-detail", args=[created.json()["id"]]), {"room": "1"}, format="json"),
    ]
    for page in pages:
        assert page.status_code in (200, 201) and ID_NUMBER not in page.content.decode()
    assert Household.objects.get().id_number == ID_NUMBER


def test_grid_head_registers_a_site(cast, api_as):
    client = api_as(Role.GRID_HEAD)
    created = client.post(reverse("api:site-list"), {
        "grid": cast.place("G1").code, "kind": "monitoring_station", "name": "六一路国控站点", "lng": 113.1,
        "lat": 34.7, "duty_radius_m": 500,
    }, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["kind_label"] == "国控站点"
    duplicate = client.post(reverse("api:site-list"), {
        "grid": cast.place("G1").code, "kind": "shop", "name": "六一路国控站点",
    }, format="json")
    assert duplicate.status_code == 400
    detail = reverse("api:site-detail", args=[created.json()["id"]])
    assert client.patch(detail, {"name": "改名"}, format="json").status_code == 405


def test_configuration_lists_are_for_every_signed_in_user(cast, api_as, api):
    from ledger.models import FindingCategory

    FindingCategory.objects.filter(code="other").update(active=False)
    client = api_as(Role.DEPARTMENT_STAFF)
    categories = client.get(reverse("api:finding-category-list"))
    assert categories.status_code == 200
    codes = [row["code"] for row in categories.json()]
    assert "safety" in codes and "other" not in codes
    assert client.get(reverse("api:household-tag-list")).status_code == 200
    assert api.get(reverse("api:finding-category-list")).status_code == 401


# ---------------------------------------------------------------------------------------------- reports, checks


def test_daily_reports_are_listed_after_the_build(cast, api_as, worker):
    _visit(worker, _patrol(cast, worker))
    today = timezone.localdate()
    daily_report_build(today)
    client = api_as(Role.STREET_OFFICIAL)
    url = reverse("api:daily-report-list")
    rows = client.get(url, {"date": today.isoformat()}).json()["results"]
    codes = {row["place"] for row in rows}
    assert cast.place("S1").code in codes and cast.place("G1").code in codes
    assert cast.place("S2").code not in codes and cast.place("D").code not in codes
    grid = client.get(url, {"place": cast.place("G1").code}).json()["results"]
    assert len(grid) == 1 and grid[0]["visits"] == 1 and grid[0]["patrols"] == 1
    assert {row["level"] for row in client.get(url, {"level": "grid"}).json()["results"]} == {"grid"}
    under = client.get(url, {"under": cast.place("C1").code, "date_after": today.isoformat(),
                             "date_before": today.isoformat()}).json()["results"]
    assert {row["place"] for row in under} == {cast.place(k).code for k in ("C1", "G1", "G1b")}
    assert client.post(url, {}, format="json").status_code == 405


def test_street_official_records_a_covert_check_grid_staff_never_see(cast, api_as):
    client = api_as(Role.STREET_OFFICIAL)
    key = str(uuid.uuid4())

    def record():
        return client.post(reverse("api:spot-check-list"), {
            "grid": cast.place("G1").code, "client_id": key, "checked_on": timezone.localdate().isoformat(),
            "findings": "巡查记录与实际不符", "score": "82.5", "photos": [_photo()],
        }, format="multipart")

    first, retry = record(), record()
    assert first.status_code == retry.status_code == 201, first.json()
    assert first.json()["id"] == retry.json()["id"] and SpotCheck.objects.count() == 1
    assert len(first.json()["photos"]) == 1 and first.json()["score"] == "82.5"
    detail = reverse("api:spot-check-detail", args=[first.json()["id"]])
    for role in (Role.GRID_WORKER, Role.GRID_HEAD, Role.INSTRUCTOR, Role.DEPARTMENT_STAFF):
        grid_staff = api_as(role)
        assert grid_staff.get(reverse("api:spot-check-list")).json()["results"] == [], role
        assert grid_staff.get(detail).status_code == 404, role
    assert api_as(Role.COMMAND_CENTER).get(detail).status_code == 200
    listed = client.get(reverse("api:spot-check-list"), {"under": cast.place("S1").code}).json()["results"]
    assert [row["id"] for row in listed] == [first.json()["id"]]


def test_grid_staff_cannot_record_a_covert_check(cast, api_as):
    answer = api_as(Role.GRID_HEAD).post(reverse("api:spot-check-list"), {
        "grid": cast.place("G1").code, "client_id": str(uuid.uuid4()), "checked_on": timezone.localdate().isoformat(),
        "findings": "自查", "score": "90",
    }, format="json")
    assert answer.status_code == 403
    assert not SpotCheck.objects.exists()


# ---------------------------------------------------------------------------------------------- retries and lengths


def test_a_retry_of_each_keyed_create_is_answered_201_with_the_same_body(cast, api_as, worker):
    """Sequential retries (the race has its own tests on PostgreSQL): the phone sees the first answer again."""
    client, supervisor = api_as(Role.GRID_WORKER), api_as(Role.STREET_OFFICIAL)
    patrol_body = {"grid": cast.place("G1").code, "client_id": str(uuid.uuid4())}
    started = [client.post(reverse("api:patrol-list"), patrol_body, format="json") for _i in range(2)]
    visit_body = {"patrol": started[0].json()["id"], "client_id": str(uuid.uuid4()), "visit_type": "patrol",
                  "category": "safety", "finding": "井盖缺失", "settled": False}
    visited = [client.post(reverse("api:visit-list"), visit_body, format="json") for _i in range(2)]
    check_body = {"grid": cast.place("G1").code, "client_id": str(uuid.uuid4()),
                  "checked_on": timezone.localdate().isoformat(), "findings": "台账不全", "score": "75"}
    checked = [supervisor.post(reverse("api:spot-check-list"), check_body, format="json") for _i in range(2)]
    for first, retry in (started, visited, checked):
        assert first.status_code == retry.status_code == 201, (first.json(), retry.json())
        assert retry.json() == first.json()
    assert Patrol.objects.count() == Visit.objects.count() == SpotCheck.objects.count() == 1


def test_a_retried_patrol_start_after_the_patrol_ended_returns_that_patrol(cast, api_as, worker):
    client = api_as(Role.GRID_WORKER)
    key = uuid.uuid4()
    first = _start(client, cast.place("G1"), key)
    client.post(reverse("api:patrol-end", args=[first.json()["id"]]), {}, format="json")
    retry = _start(client, cast.place("G1"), key)
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"] and Patrol.objects.count() == 1


def test_a_client_id_of_another_worker_is_refused_not_handed_over(cast, api_as, worker):
    key = uuid.uuid4()
    _start(api_as(Role.GRID_WORKER), cast.place("G1"), key)
    other = api_as(User.objects.get(username="worker_G1b"))
    answer = _start(other, cast.place("G1b"), key)
    assert answer.status_code == 400 and "提交标识已被使用" in answer.json()["client_id"][0]


def test_oversized_covert_check_findings_and_household_address_are_refused_with_the_limit(cast, api_as):
    answer = api_as(Role.STREET_OFFICIAL).post(reverse("api:spot-check-list"), {
        "grid": cast.place("G1").code, "client_id": str(uuid.uuid4()), "checked_on": timezone.localdate().isoformat(),
        "findings": "查" * 2001, "score": "60",
    }, format="json")
    assert answer.status_code == 400 and "2000" in str(answer.json()["findings"])
    assert not SpotCheck.objects.exists()
    answer = api_as(Role.GRID_HEAD).post(reverse("api:household-list"), {
        "grid": cast.place("G1").code, "address": "路" * 201}, format="json")
    assert answer.status_code == 400 and "200" in str(answer.json()["address"])
    assert not Household.objects.filter(address__startswith="路路").exists()


# ---------------------------------------------------------------------------------------------- schema


def test_ledger_endpoints_are_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for resource in ("households", "sites", "patrols", "visits", "daily-reports", "spot-checks"):
        assert "get" in paths[f"/api/v1/{resource}/"] and "get" in paths[f"/api/v1/{resource}/{{id}}/"]
    for resource in ("households", "sites", "patrols", "visits", "spot-checks"):
        assert "post" in paths[f"/api/v1/{resource}/"]
    assert "patch" in paths["/api/v1/households/{id}/"]
    for resource in ("sites", "patrols", "visits", "daily-reports", "spot-checks"):
        assert "patch" not in paths[f"/api/v1/{resource}/{{id}}/"]
    assert "post" not in paths["/api/v1/daily-reports/"]
    assert "post" in paths["/api/v1/patrols/{id}/end/"]
    assert {"200", "400", "403", "404"} <= set(paths["/api/v1/patrols/{id}/end/"]["post"]["responses"])
    visit_create = paths["/api/v1/visits/"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(visit_create["requestBody"]["content"])
    assert not any(p["name"] == "Idempotency-Key" for p in visit_create.get("parameters", []))
    assert "get" in paths["/api/v1/finding-categories/"] and "get" in paths["/api/v1/household-tags/"]
    listing = {p["name"] for p in paths["/api/v1/visits/"]["get"]["parameters"]}
    assert {"cursor", "worker", "grid", "under", "date_after", "date_before", "category", "settled", "open"} <= listing
