"""Open311 GeoReport v2 (JSON): other civic apps list our services, submit requests and read them back."""

import datetime
import json

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Kind, Source, Status

from .conftest import key

MOBILE = "13812345678"
BASE = "/open311/v2/"


def submit(categories, *, category="city", mobile=MOBILE, now=None, **extra) -> Case:
    values = dict(category=categories[category], description="路灯不亮，晚上很黑", resident_mobile=mobile, key=key(),
                  lng=113.1, lat=34.7, resident_name="王女士", now=now)
    values.update(extra)
    return services.case_submit_public(**values)


def close(cast, case: Case) -> Case:
    center, department = cast.user("command_center"), cast.user("department_staff")
    for user, action, note in ((center, "accept", ""), (center, "dispatch", ""), (department, "sign", ""),
                               (department, "feed_back", "已修复"), (center, "verify", "")):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    return case


def post(client, data, **headers):
    body = {"service_code": "shirong", "lat": "34.7", "long": "113.1", "description": "井盖缺失，很危险",
            "phone": MOBILE, **data}
    return client.post(BASE + "requests.json", {k: v for k, v in body.items() if v is not None}, headers=headers)


# ---------------------------------------------------------------------------------------------- services


def test_services_lists_the_public_active_categories_with_their_department(client, cast, categories):
    admin, district = cast.user("system_admin"), cast.place("D")
    services.case_category_create(actor=admin, district=district, code="neibu", name="内部类", public=False)
    response = client.get(BASE + "services.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    rows = response.json()
    assert [r["service_code"] for r in rows] == ["shirong", "wuran"]
    assert rows[0] == {"service_code": "shirong", "service_name": "市容环境", "description": "", "metadata": False,
                       "type": "realtime", "keywords": "", "group": "城市管理"}


def test_there_is_no_xml_format(client, cast):
    assert client.get(BASE + "services.xml").status_code == 404


# ---------------------------------------------------------------------------------------------- reading


def test_requests_list_shows_the_public_fields_and_never_the_resident(client, cast, categories):
    case = submit(categories, description="楼下有人占道经营，联系我 13900001111", address="六一路 12 号院")
    body = client.get(BASE + "requests.json").content.decode()
    rows = json.loads(body)
    assert len(rows) == 1
    row = rows[0]
    assert row["service_request_id"] == case.reference
    assert row["status"] == "open" and row["status_notes"] == "待受理"
    assert row["service_code"] == "shirong" and row["service_name"] == "市容环境"
    assert row["agency_responsible"] == "" and row["expected_datetime"] is None and row["media_url"] == ""
    # The place by its names and the grid's centre, never the address typed or the exact point.
    assert row["address"] == "新兴街道 · 董庄社区 · 第1网格" and (row["lat"], row["long"]) == (34.75, 113.125)
    assert row["requested_datetime"].endswith("+08:00")
    assert row["description"] == "楼下有人占道经营，联系我 [电话]"
    for secret in (MOBILE, "13900001111", "1111", "王女士", "六一路", case.tracking_token):
        assert secret not in body


def test_a_dispatched_request_names_the_agency_and_the_expected_time(client, cast, categories):
    case = close(cast, submit(categories))
    row = client.get(BASE + f"requests/{case.reference}.json").json()[0]
    assert row["status"] == "closed" and row["status_notes"] == "已结案" and row["agency_responsible"] == "城市管理"
    assert row["expected_datetime"] == timezone.localtime(case.deadline).isoformat(timespec="seconds")


def test_long_descriptions_are_trimmed_to_200_characters(client, cast, categories):
    submit(categories, description="很" * 600)
    assert len(client.get(BASE + "requests.json").json()[0]["description"]) == 200


def test_petitions_and_non_public_categories_are_not_listed(client, cast, categories):
    center = cast.user("command_center")
    services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), kind=Kind.PETITION,
                         category=categories["city"], description="信访内容", key=key(), resident_mobile=MOBILE)
    hidden = services.case_category_create(actor=cast.user("system_admin"), district=cast.place("D"), code="neibu",
                                           name="内部类", public=False)
    services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), category=hidden,
                         description="内部事项", key=key())
    assert client.get(BASE + "requests.json").json() == []


def test_requests_filter_by_status_service_code_and_ids(client, cast, categories):
    open_case = submit(categories, category="pollution")
    closed_case = close(cast, submit(categories, mobile="13812340000"))
    refs = lambda **params: [r["service_request_id"] for r in client.get(BASE + "requests.json", params).json()]  # noqa: E731
    assert refs() == [closed_case.reference, open_case.reference]  # newest first
    assert refs(status="open") == [open_case.reference]
    assert refs(status="closed") == [closed_case.reference]
    assert refs(status="open,closed") == [closed_case.reference, open_case.reference]
    assert refs(service_code="wuran") == [open_case.reference]
    assert refs(service_request_id=f"{open_case.reference}, nonsense") == [open_case.reference]


def test_requests_default_to_the_last_90_days_and_take_a_date_range(client, cast, categories):
    old = submit(categories, now=timezone.now() - datetime.timedelta(days=100))
    new = submit(categories, mobile="13812340000")
    refs = lambda **params: [r["service_request_id"] for r in client.get(BASE + "requests.json", params).json()]  # noqa: E731
    assert refs() == [new.reference]
    start = timezone.localtime(old.created_at - datetime.timedelta(days=1)).isoformat()
    end = timezone.localtime(old.created_at + datetime.timedelta(days=1)).isoformat()
    assert refs(start_date=start, end_date=end) == [old.reference]
    # A start alone reads the 90 days from it; an end alone the 90 days up to it.
    assert refs(start_date=start) == [old.reference]
    assert refs(end_date=timezone.localtime(new.created_at + datetime.timedelta(days=1)).isoformat()) == [new.reference]


def test_a_malformed_date_or_status_is_a_400_error_list(client, cast, categories):
    response = client.get(BASE + "requests.json", {"start_date": "yesterday"})
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "start_date 不是有效的 ISO 8601 时间，例如 2026-01-01T00:00:00+08:00。"}]
    assert client.get(BASE + "requests.json", {"status": "pending"}).status_code == 400


def test_an_unknown_request_is_a_404_error_list(client, cast, categories):
    response = client.get(BASE + "requests/2099010100001.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404 and "2099010100001" in response.json()[0]["description"]


@pytest.mark.parametrize("count", [1, 12])
def test_the_requests_list_is_one_query_however_many_requests(client, cast, categories, count,
                                                               django_assert_num_queries):
    for i in range(count):
        case = submit(categories, mobile=f"1381234{i:04d}")
        if i % 3 == 0:
            close(cast, case)
    with django_assert_num_queries(1):
        rows = client.get(BASE + "requests.json").json()
    assert len(rows) == count


# ---------------------------------------------------------------------------------------------- submitting


def test_a_request_posted_by_another_app_becomes_a_case(client, cast, categories):
    response = post(client, {"first_name": "女士", "last_name": "王", "email": "a@example.cn",
                             "address_string": "六一路口", "media_url": "http://example.cn/p.jpg"})
    assert response.status_code == 201
    [row] = response.json()
    case = Case.objects.get()
    assert row["service_request_id"] == case.reference and row["account_id"] is None and row["token"] is None
    assert case.reference in row["service_notice"]
    assert case.source == Source.OPEN311 and case.status == Status.REPORTED and case.grid == cast.place("G1")
    assert case.resident_mobile == MOBILE and case.resident_name == "王女士" and case.address == "六一路口"


def test_the_post_needs_no_csrf_token(cast, categories):
    from django.test import Client

    assert post(Client(enforce_csrf_checks=True), {}).status_code == 201


def test_the_same_idempotency_key_returns_the_first_request(client, cast, categories):
    header = {"Idempotency-Key": key()}
    first, second = post(client, {}, **header), post(client, {}, **header)
    assert first.status_code == second.status_code == 201
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert Case.objects.count() == 1


def test_an_unknown_service_code_is_404(client, cast, categories):
    response = post(client, {"service_code": "nope"})
    assert response.status_code == 404 and "services.json" in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_a_request_without_a_point_or_a_mobile_is_400_with_the_reasons(client, cast, categories):
    response = post(client, {"lat": None, "long": None, "address_string": "六一路", "phone": "0374-1234567"})
    assert response.status_code == 400
    errors = response.json()
    assert [e["code"] for e in errors] == [400, 400]
    assert "lat 和 long" in errors[0]["description"] and "address_string" in errors[0]["description"]
    assert "11 位手机号码" in errors[1]["description"]
    assert not Case.objects.exists()


def test_a_point_outside_every_grid_is_400(client, cast, categories):
    response = post(client, {"lat": "30.0", "long": "120.0"})
    assert response.status_code == 400 and "不在" in response.json()[0]["description"]


def test_a_malformed_idempotency_key_is_400(client, cast, categories):
    response = post(client, {}, **{"Idempotency-Key": "not-a-uuid"})
    assert response.status_code == 400 and "UUID" in response.json()[0]["description"]


def test_too_many_requests_from_one_mobile_are_429(client, cast, categories, settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY = 2
    assert [post(client, {}).status_code for _ in range(3)] == [201, 201, 429]
    assert "提交过于频繁" in post(client, {}).json()[0]["description"]
    assert Case.objects.count() == 2
