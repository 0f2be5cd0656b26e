import uuid

from django.urls import reverse

from grids import geo
from grids.models import Place, Role

LIST = reverse("api:place-list")


def detail(place) -> str:
    return reverse("api:place-detail", args=[place.pk])


def test_community_official_lists_own_community_in_code_order(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).get(LIST)
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert codes == sorted(codes)
    assert codes == [cast.place(k).code for k in ("C1", "G1", "B1", "G1b")]


def test_place_list_row_has_no_polygon_but_says_whether_there_is_one(api_as, cast):
    rows = {row["code"]: row for row in api_as(Role.COMMUNITY_OFFICIAL).get(LIST).json()["results"]}
    g1 = rows[cast.place("G1").code]
    assert set(g1) == {
        "id", "code", "display_code", "level", "level_label", "name", "parent", "address", "area_m2", "centroid",
        "has_boundary", "patrol_minimum_minutes", "version",
    }
    assert g1["parent"] == cast.place("C1").code and g1["level"] == "grid" and g1["has_boundary"] is True
    assert g1["centroid"] == {"lng": 113.125, "lat": 34.75}
    assert rows[cast.place("B1").code]["has_boundary"] is False


def test_place_detail_carries_the_boundary(api_as, cast):
    response = api_as(Role.GRID_WORKER).get(detail(cast.place("G1")))
    assert response.status_code == 200
    assert response.json()["boundary"]["type"] == "Polygon"
    assert response["ETag"] == '"1"'


def test_city_shows_its_six_digit_code(api_as, cast):
    body = api_as(cast.admin).get(detail(cast.place("CITY"))).json()
    assert (body["code"], body["display_code"], body["parent"]) == ("4110", "411000", None)


def test_place_filters(api_as, cast):
    client = api_as(Role.DISTRICT_OFFICIAL)

    def codes(**params):
        return {row["code"] for row in client.get(LIST, params).json()["results"]}

    grids = {cast.place(k).code for k in ("G1", "G1b", "G2", "G3")}
    assert codes(level="grid") == grids
    assert codes(parent=cast.place("C1").code) == {cast.place("G1").code, cast.place("G1b").code}
    assert codes(under=cast.place("S1").code, level="grid") == grids - {cast.place("G3").code}
    assert codes(name="董庄") == {cast.place("C1").code}


def test_grid_worker_cannot_read_sibling_grid(api_as, cast):
    assert api_as(Role.GRID_WORKER).get(detail(cast.place("G1b"))).status_code == 404


def test_community_official_creates_grid_with_next_code(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST, {"parent": cast.place("C1").code, "name": "第3网格", "address": "董庄路 1 号"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == cast.place("C1").code + "003"
    assert (body["level"], body["parent"], body["address"], body["version"]) == ("grid", cast.place("C1").code,
                                                                                "董庄路 1 号", 1)
    assert body["boundary"] is None and body["has_boundary"] is False


def test_grid_head_creates_building_with_boundary(api_as, cast):
    boundary = geo.rectangle(113.01, 34.51, 113.02, 34.52)
    response = api_as(Role.GRID_HEAD).post(
        LIST, {"parent": cast.place("G1").code, "name": "2号楼院", "boundary": boundary}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["level"] == "building" and body["has_boundary"] is True and body["area_m2"] > 1_000_000
    assert Place.objects.get(pk=body["id"]).boundary["type"] == "Polygon"


def test_grid_outside_its_community_is_refused(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST,
        {"parent": cast.place("C1").code, "name": "第3网格", "boundary": geo.rectangle(113.6, 34.6, 113.7, 34.7)},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"boundary": ["边界超出了上级董庄社区的范围。"]}
    assert not Place.objects.filter(name="第3网格").exists()


def test_grid_overlapping_a_sibling_is_refused(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST,
        {"parent": cast.place("C1").code, "name": "第3网格", "boundary": geo.rectangle(113.1, 34.6, 113.2, 34.7)},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"boundary": ["边界与第1网格重叠，同级地点的边界不能重叠。"]}


def test_invalid_geojson_boundary_is_refused_in_chinese(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    point = {"type": "Point", "coordinates": [113.1, 34.6]}
    response = client.post(LIST, {"parent": cast.place("C1").code, "name": "第3网格", "boundary": point}, format="json")
    assert response.status_code == 400
    assert response.json() == {"boundary": ["边界必须是多边形（Polygon 或 MultiPolygon）。"]}
    bow_tie = {"type": "Polygon", "coordinates": [[[113.1, 34.6], [113.2, 34.7], [113.2, 34.6], [113.1, 34.7],
                                                   [113.1, 34.6]]]}
    response = client.patch(detail(cast.place("G1")), {"boundary": bow_tie}, format="json")
    assert response.status_code == 400
    assert response.json() == {"boundary": ["边界多边形自相交或不闭合，请检查各顶点顺序。"]}


def test_create_under_invisible_parent_looks_missing(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST, {"parent": cast.place("C2").code, "name": "第9网格"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"parent": ["地点不存在或无权访问。"]}
    response = api_as(Role.COMMUNITY_OFFICIAL).post(LIST, {"parent": "999999", "name": "第9网格"}, format="json")
    assert response.json() == {"parent": ["地点不存在或无权访问。"]}


def test_grid_worker_cannot_create_under_own_grid(api_as, cast):
    response = api_as(Role.GRID_WORKER).post(LIST, {"parent": cast.place("G1").code, "name": "2号楼院"}, format="json")
    assert response.status_code == 403


def test_community_official_renames_grid_with_version(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).patch(
        detail(cast.place("G1")), {"name": "董庄第1网格", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["version"]) == ("董庄第1网格", 2)
    assert response["ETag"] == '"2"'
    assert Place.objects.get(pk=cast.place("G1").pk).name == "董庄第1网格"


def test_boundary_can_be_cleared(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).patch(detail(cast.place("G1")), {"boundary": None}, format="json")
    assert response.status_code == 200
    assert response.json()["has_boundary"] is False and response.json()["area_m2"] is None


def test_code_cannot_change(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    response = client.patch(detail(cast.place("G1")), {"code": "411002001001009"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": ["统一编号一经使用不可更改。"]}
    same = client.patch(detail(cast.place("G1")), {"code": cast.place("G1").code, "name": "新名"}, format="json")
    assert same.status_code == 200


def test_parent_cannot_change(api_as, cast):
    client = api_as(Role.STREET_OFFICIAL)
    response = client.patch(detail(cast.place("G1")), {"parent": cast.place("C2").code}, format="json")
    assert response.status_code == 400
    assert response.json() == {"parent": ["地点不能移到其他上级之下：统一编号将随之改变。"]}


def test_stale_version_is_a_conflict(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    url = detail(cast.place("G1"))
    assert client.patch(url, {"name": "甲", "version": 1}, format="json").status_code == 200
    response = client.patch(url, {"name": "乙", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "此记录已被他人修改，请刷新页面后再提交。", "code": "conflict"}
    assert Place.objects.get(pk=cast.place("G1").pk).name == "甲"


def test_version_may_come_in_if_match(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    url = detail(cast.place("G1"))
    assert client.patch(url, {"name": "甲"}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    assert client.patch(url, {"name": "乙"}, format="json", HTTP_IF_MATCH='"1"').status_code == 409
    assert client.patch(url, {"name": "乙"}, format="json", HTTP_IF_MATCH='W/"2"').status_code == 200
    bad = client.patch(url, {"name": "丙"}, format="json", HTTP_IF_MATCH="*")
    assert bad.status_code == 400 and "版本号" in bad.json()["version"][0]


def test_visible_but_not_writable_place_is_forbidden(api_as, cast):
    # A grid worker reads the own grid but may not edit it; the answer does not depend on the body.
    client = api_as(Role.GRID_WORKER)
    assert client.patch(detail(cast.place("G1")), {"name": "改名"}, format="json").status_code == 403
    assert client.patch(detail(cast.place("G1")), {"boundary": "not json"}, format="json").status_code == 403
    # Officials manage what is below them, not their own level.
    assert api_as(Role.COMMUNITY_OFFICIAL).patch(detail(cast.place("C1")), {"name": "x"}, format="json").status_code == 403


def test_idempotent_create_makes_one_place(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    key = str(uuid.uuid4())
    payload = {"parent": cast.place("C1").code, "name": "第3网格"}
    first = client.post(LIST, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(LIST, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Place.objects.filter(name="第3网格").count() == 1
    # Without a key, the same body is a second submission (and here a duplicate name).
    assert client.post(LIST, payload, format="json").status_code == 400


def test_invalid_idempotency_key_is_refused(api_as, cast):
    response = api_as(Role.COMMUNITY_OFFICIAL).post(
        LIST, {"parent": cast.place("C1").code, "name": "第3网格"}, format="json", HTTP_IDEMPOTENCY_KEY="not-a-uuid"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": ["提交标识无效，请刷新页面后重试。"]}


def test_put_and_delete_are_not_offered_for_places(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    assert client.put(detail(cast.place("G1")), {"name": "x"}, format="json").status_code == 405
    assert client.delete(detail(cast.place("G1"))).status_code == 405


def test_a_grids_own_patrol_minimum_is_read_and_set_through_the_api(api_as, cast):
    client = api_as(Role.COMMUNITY_OFFICIAL)
    grid = cast.place("G1")
    url = detail(grid)
    assert client.get(url).json()["patrol_minimum_minutes"] is None
    answer = client.patch(url, {"patrol_minimum_minutes": 45, "version": grid.version}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["patrol_minimum_minutes"] == 45
    refused = api_as(Role.STREET_OFFICIAL).patch(
        detail(cast.place("C1")), {"patrol_minimum_minutes": 45, "version": cast.place("C1").version}, format="json")
    assert refused.status_code == 400 and "只有网格" in refused.content.decode()
