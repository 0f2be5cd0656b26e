"""What the public surface publishes (issue 11, points 1 and 8): Open311 lists residents' own requests only, with
coarse location, the place's names instead of the typed address and a redacted description, throttled and in
bounded pages; the tracking page shows the same redacted text; and no case path stores an oversized text."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import public_selectors, services
from cases.models import Case, Source

from .conftest import key

BASE = "/open311/v2/"
MOBILE = "13812345678"
PROBE = ("我叫张伟，身份证410102199001011234，家住六一路12号院3号楼2单元501室，电话0374-5551234，"
         "楼道灯坏了一个月没人修")
PROBE_ADDRESS = "六一路12号院3号楼2单元501室"
SECRETS = ("410102199001011234", "5551234", "0374", "张伟", "501", "3号楼", "2单元", "12号院", MOBILE)


def post(client, **data):
    body = {"service_code": "shirong", "lat": "34.7", "long": "113.1", "description": "井盖缺失，很危险",
            "phone": MOBILE, **data}
    return client.post(BASE + "requests.json", body)


def resident(categories, *, mobile=MOBILE, now=None, source=Source.RESIDENT, **extra) -> Case:
    values = dict(category=categories["city"], description="路灯不亮", resident_mobile=mobile, key=key(),
                  lng=113.1, lat=34.7, now=now, source=source)
    values.update(extra)
    return services.case_submit_public(**values)


def staff(cast, categories, source: str, **extra) -> Case:
    actor = {Source.PATROL: cast.user("grid_worker"), Source.HOTLINE: cast.user("command_center"),
             Source.ASSIGNED: cast.user("district_official")}[source]
    return services.case_create(actor=actor, source=source, grid=cast.place("G1"), category=categories["city"],
                                description="网格员巡查发现：王师傅家门口堆物", key=key(), lng=113.1, lat=34.7,
                                **extra)


# ---------------------------------------------------------------------------------------------- Open311 reads


def test_the_probe_request_publishes_no_id_number_phone_name_or_flat(client, cast, categories):
    response = post(client, description=PROBE, address_string=PROBE_ADDRESS, first_name="伟", last_name="张")
    assert response.status_code == 201
    reference = response.json()[0]["service_request_id"]
    for url in (BASE + "requests.json", BASE + f"requests/{reference}.json"):
        body = client.get(url).content.decode()
        for secret in SECRETS:
            assert secret not in body, (url, secret)
        [row] = client.get(url).json()
        assert "楼道灯坏了一个月没人修" in row["description"]
        assert row["address"] == "新兴街道 · 董庄社区 · 第1网格"


def test_the_location_is_the_grid_centre_never_the_exact_point(client, cast, categories):
    resident(categories, lng=113.1234567, lat=34.7654321)
    [row] = client.get(BASE + "requests.json").json()
    grid = cast.place("G1")
    assert (row["lat"], row["long"]) == (round(grid.centroid_lat, 4), round(grid.centroid_lng, 4))
    assert "34.7654321" not in str(row) and "113.1234567" not in str(row)


@pytest.mark.parametrize("source", [Source.PATROL, Source.HOTLINE, Source.ASSIGNED])
def test_staff_entered_cases_are_not_published(client, cast, categories, source):
    case = staff(cast, categories, source)
    assert client.get(BASE + "requests.json").json() == []
    assert client.get(BASE + f"requests/{case.reference}.json").status_code == 404


def test_residents_own_requests_by_form_and_by_open311_are_published(client, cast, categories):
    mine = resident(categories)
    relayed = resident(categories, mobile="13812340000", source=Source.OPEN311)
    staff(cast, categories, Source.HOTLINE)
    refs = [row["service_request_id"] for row in client.get(BASE + "requests.json").json()]
    assert refs == [relayed.reference, mine.reference]


def test_a_list_call_returns_at_most_50_rows(client, cast, categories, settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY = 100
    for i in range(public_selectors.OPEN311_MAX + 3):
        resident(categories, mobile=f"1381234{i % 60:04d}")
    assert public_selectors.OPEN311_MAX == 50
    assert len(client.get(BASE + "requests.json").json()) == 50
    ids = ",".join(c.reference for c in Case.objects.all())
    assert len(client.get(BASE + "requests.json", {"service_request_id": ids}).json()) == 50


def test_a_date_range_longer_than_90_days_is_refused(client, cast, categories):
    response = client.get(BASE + "requests.json", {"start_date": "2000-01-01", "end_date": "2026-01-01"})
    assert response.status_code == 400
    assert "90 天" in response.json()[0]["description"]


def test_a_start_date_alone_reads_90_days_from_it_not_the_whole_history(client, cast, categories):
    old = resident(categories, now=timezone.now() - datetime.timedelta(days=400))
    resident(categories, mobile="13812340000")
    start = timezone.localtime(old.created_at - datetime.timedelta(days=1)).date().isoformat()
    refs = [row["service_request_id"] for row in client.get(BASE + "requests.json", {"start_date": start}).json()]
    assert refs == [old.reference]
    assert client.get(BASE + "requests.json", {"start_date": "2000-01-01"}).json() == []


def test_reads_are_throttled_per_address_with_an_open311_error(client, cast, categories, settings):
    settings.OPEN311_READS_PER_IP = "3/h"
    case = resident(categories)
    codes = [client.get(BASE + "requests.json").status_code for _ in range(2)]
    codes.append(client.get(BASE + f"requests/{case.reference}.json").status_code)
    response = client.get(BASE + "requests.json")
    assert codes == [200, 200, 200] and response.status_code == 429
    [error] = response.json()
    assert error["code"] == 429 and "查询过于频繁" in error["description"] and "秒后再试" in error["description"]
    assert int(response["Retry-After"]) > 0
    # Another address is not held back by this one.
    assert client.get(BASE + "requests.json", REMOTE_ADDR="10.0.0.9").status_code == 200


# ---------------------------------------------------------------------------------------------- tracking page


def test_the_tracking_page_shows_the_redacted_description_address_and_notes(client, cast, categories):
    case = resident(categories, description=PROBE, address=PROBE_ADDRESS)
    center, department = cast.user("command_center"), cast.user("department_staff")
    steps = ((center, "accept", ""), (center, "dispatch", ""), (department, "sign", ""),
             (department, "feed_back", "已联系李女士（13900001111），为3号楼2单元501室更换灯泡"),
             (center, "verify", "回访王师傅 0374-5559876，已修好"))
    for user, action, note in steps:
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    services.case_act(actor=None, case=case, action="evaluate", version=case.version, key=key(),
                      token=case.tracking_token, evaluation="satisfied", note="谢谢，我叫张伟，电话13812345678")
    page = client.get(reverse("cases_public:track", args=[case.tracking_token])).content.decode()
    for secret in (*SECRETS, "13900001111", "5559876", "李女士", "王师傅"):
        assert secret not in page, secret
    assert "楼道灯坏了一个月没人修" in page and "更换灯泡" in page and "已修好" in page


# ---------------------------------------------------------------------------------------------- lengths


def test_a_two_million_character_description_via_open311_is_a_readable_400_and_stores_nothing(client, cast,
                                                                                           categories):
    response = post(client, description="很" * 2_000_000)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "1000" in error["description"] and "问题描述" in error["description"]
    assert not Case.objects.exists()


def test_an_ascii_two_million_character_description_via_open311_is_refused_by_the_service(client, cast,
                                                                                        categories):
    response = post(client, description="a" * 2_000_000)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "问题描述不能超过 1000 字（现有 2000000 字）。"}]
    assert not Case.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("address_string", "六" * 201, "地址不能超过 200 字"),
    ("first_name", "明" * 40, "居民称呼不能超过 30 字"),
])
def test_other_open311_fields_over_their_length_are_400(client, cast, categories, field, value, message):
    response = post(client, **{field: value})
    assert response.status_code == 400 and message in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_the_service_refuses_an_oversized_description_from_any_path(cast, categories):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        resident(categories, description="很" * 1001)
    assert error.value.message_dict["description"] == ["问题描述不能超过 1000 字（现有 1001 字）。"]
    with pytest.raises(ValidationError) as error:
        staff(cast, categories, Source.PATROL, level="grid", settled_result="好" * 1001)
    assert "处置结果不能超过 1000 字" in str(error.value)
    with pytest.raises(ValidationError):
        resident(categories, resident_name="名" * 31)
    assert not Case.objects.exists()


def test_the_suqiu_form_refuses_an_oversized_description(client, cast, categories):
    data = {"mobile": MOBILE, "name": "", "category": categories["city"].pk, "description": "很" * 1001,
            "grid": "", "address": "", "key": key(), "website": "", "lng": "113.1", "lat": "34.7"}
    response = client.post("/suqiu/", data)
    assert response.status_code == 400 and "问题描述不能超过 1000 字" in response.content.decode()
    assert not Case.objects.exists()


def test_staff_entry_refuses_an_oversized_description(client, cast, categories):
    client.force_login(cast.user("command_center"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("cases:new"), {
        "key": key(), "source": "hotline", "grid": cast.place("G1").pk, "category": categories["city"].pk,
        "description": "很" * 1001, "kind": "ordinary"})
    assert response.status_code in (200, 400)
    assert "1000" in response.content.decode()
    assert not Case.objects.exists()


def api(cast, role):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=cast.user(role))[1]}")
    return client


def test_the_api_refuses_an_oversized_description_and_settled_result(cast, categories):
    client = api(cast, "grid_worker")
    base = {"grid": cast.place("G1").code, "category": categories["city"].pk, "description": "很" * 1001}
    assert client.post("/api/v1/cases/", base, format="json").status_code == 400
    base.update(description="路灯不亮", level="grid", settled_result="好" * 1001)
    assert client.post("/api/v1/cases/", base, format="json").status_code == 400
    assert not Case.objects.exists()


def test_a_step_note_over_1000_characters_is_refused(cast, categories):
    from django.core.exceptions import ValidationError

    case = staff(cast, categories, Source.HOTLINE)
    with pytest.raises(ValidationError) as error:
        services.case_act(actor=cast.user("command_center"), case=case, action="dispatch", version=case.version,
                          key=key(), note="很" * 1001)
    assert "1000" in str(error.value)


def test_an_evaluation_comment_over_500_characters_is_refused_not_cut(cast, categories):
    case = resident(categories)
    center, department = cast.user("command_center"), cast.user("department_staff")
    for user, action, note in ((center, "accept", ""), (center, "dispatch", ""), (department, "sign", ""),
                               (department, "feed_back", "已修复"), (center, "verify", "")):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    response = api(cast, "command_center").post(
        f"/api/v1/cases/{case.reference}/evaluate/",
        {"version": case.version, "evaluation": "satisfied", "note": "好" * 600}, format="json")
    assert response.status_code == 400 and "500" in response.content.decode()
    case.refresh_from_db()
    assert case.evaluation == "" and case.evaluation_comment == ""


def test_a_holiday_name_over_30_characters_is_refused(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.holiday_save(actor=cast.user("system_admin"), date=datetime.date(2026, 10, 1), is_workday=False,
                              name="国" * 31)


def test_the_staff_evaluation_form_refuses_a_comment_over_500_characters(client, cast, categories):
    case = resident(categories)
    center, department = cast.user("command_center"), cast.user("department_staff")
    for user, action, note in ((center, "accept", ""), (center, "dispatch", ""), (department, "sign", ""),
                               (department, "feed_back", "已修复"), (center, "verify", "")):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    client.force_login(center, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("cases:act", args=[case.reference, "evaluate"]),
                           {"version": case.version, "key": key(), "evaluation": "satisfied", "note": "好" * 600})
    assert response.status_code == 400 and "500" in response.content.decode()
    case.refresh_from_db()
    assert case.evaluation == ""
