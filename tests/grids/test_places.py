"""Unified numbering, boundaries and the place rules, through the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grids import geo, services
from grids.models import Place, Role
from wudu.errors import Conflict


def test_codes_are_parent_code_plus_sequence_in_order(cast):
    c2 = cast.place("C2")
    first = services.place_create(actor=cast.admin, parent=c2, name="第2网格")
    second = services.place_create(actor=cast.admin, parent=c2, name="第3网格")
    assert cast.place("D").code == "411002"
    assert cast.place("S1").code == "411002001" and cast.place("S2").code == "411002002"
    assert cast.place("G2").code == c2.code + "001"
    assert (first.code, second.code) == (c2.code + "002", c2.code + "003")
    assert first.level == "grid"


def test_a_code_is_never_reused_after_its_place_is_gone(cast):
    c2 = cast.place("C2")
    doomed = services.place_create(actor=cast.admin, parent=c2, name="临时网格")
    doomed.delete()
    after = services.place_create(actor=cast.admin, parent=c2, name="新网格")
    assert after.code != doomed.code and after.code > doomed.code


def test_a_code_cannot_be_changed(cast):
    grid = cast.place("G1")
    with pytest.raises(ValidationError) as error:
        services.place_update(actor=cast.admin, place=grid, code="411002009009009", name="改名")
    assert "统一编号一经使用不可更改" in str(error.value)
    grid.refresh_from_db()
    assert grid.name == "第1网格" and grid.code == "411002001001001"


def test_a_place_cannot_move_to_another_parent(cast):
    with pytest.raises(ValidationError) as error:
        services.place_update(actor=cast.admin, place=cast.place("G1"), parent=cast.place("C2"))
    assert "不能移到其他上级" in str(error.value)


def test_a_grid_must_hang_under_a_community(cast):
    with pytest.raises(ValidationError) as error:
        services.place_create(actor=cast.admin, parent=cast.place("S1"), name="错挂网格", level="grid")
    assert "网格的上级必须是社区" in str(error.value)
    assert not Place.objects.filter(name="错挂网格").exists()


def test_a_used_county_code_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.place_create(actor=cast.admin, parent=cast.place("CITY"), name="重复区", county_seq=2)
    assert "已被使用" in str(error.value)


@pytest.mark.parametrize(
    "boundary, message",
    [
        ("{not json", "无法解析"),
        ({"type": "Point", "coordinates": [113.1, 34.6]}, "必须是多边形"),
        ({"type": "Polygon", "coordinates": [[[113.1, 34.6], [113.2]]]}, "坐标格式错误"),
        ({"type": "Polygon", "coordinates": [[[113.1, 34.6], [113.2, 34.7], [113.2, 34.6], [113.1, 34.7], [113.1, 34.6]]]},
         "自相交"),
        ({"type": "Polygon", "coordinates": [[[200, 34.6], [201, 34.6], [201, 35], [200, 34.6]]]}, "超出经纬度范围"),
    ],
)
def test_invalid_geojson_is_refused_with_a_clear_message(cast, boundary, message):
    with pytest.raises(ValidationError) as error:
        services.place_create(actor=cast.admin, parent=cast.place("C2"), name="坏边界", boundary=boundary)
    assert message in str(error.value)
    assert not Place.objects.filter(name="坏边界").exists()


def test_a_grid_outside_its_community_is_refused(cast):
    outside = geo.rectangle(113.6, 34.1, 113.7, 34.2)  # inside 丁庄社区, not 健康社区
    with pytest.raises(ValidationError) as error:
        services.place_create(actor=cast.admin, parent=cast.place("C2"), name="越界网格", boundary=outside)
    assert "超出了上级健康社区的范围" in str(error.value)


def test_overlapping_sibling_grids_are_refused_but_shared_edges_are_fine(cast):
    with pytest.raises(ValidationError) as error:
        services.place_create(
            actor=cast.admin, parent=cast.place("C1"), name="重叠网格", boundary=geo.rectangle(113.2, 34.6, 113.3, 34.7)
        )
    assert "重叠" in str(error.value)
    # Redraw G1 to touch G1b along its edge only: allowed.
    grid = services.place_update(actor=cast.admin, place=cast.place("G1"), boundary=geo.rectangle(113.0, 34.5, 113.25, 34.9))
    assert grid.area_m2 < cast.place("G1").area_m2 + 1


def test_area_is_computed_in_square_metres(cast):
    grid = cast.place("G1")  # 0.25° × 0.5° at about 34.75°N
    expected = (0.25 * 111_195 * 0.8217) * (0.5 * 111_195)
    assert grid.area_m2 == pytest.approx(expected, rel=0.01)


def test_point_lookup_finds_the_grid(cast):
    assert services.grid_at(113.1, 34.7) == cast.place("G1")
    assert services.grid_at(113.3, 34.7) == cast.place("G1b")
    assert services.grid_at(112.0, 34.7) is None


def test_two_edits_from_the_same_version_one_wins_the_other_is_told_to_reload(cast):
    first = Place.objects.get(pk=cast.place("G1").pk)
    second = Place.objects.get(pk=cast.place("G1").pk)
    services.place_update(actor=cast.admin, place=first, expected_version=1, name="甲的改名")
    with pytest.raises(Conflict) as error:
        services.place_update(actor=cast.admin, place=second, expected_version=1, name="乙的改名")
    assert "已被他人修改" in str(error.value.messages[0])
    assert Place.objects.get(pk=first.pk).name == "甲的改名"


def test_retried_create_with_the_same_key_returns_the_first_record(cast):
    key = "5b8f7f2e-6d7c-4d41-9e9b-0a7c2b0d8e11"
    first = services.place_create(actor=cast.admin, parent=cast.place("C2"), name="重试网格", idempotency_key=key)
    again = services.place_create(actor=cast.admin, parent=cast.place("C2"), name="重试网格", idempotency_key=key)
    assert again.pk == first.pk
    assert Place.objects.filter(name="重试网格").count() == 1


def test_duplicate_name_under_one_parent_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        services.place_create(actor=cast.admin, parent=cast.place("C1"), name="第1网格")
    assert "同名" in str(error.value)


def test_grid_worker_cannot_create_places(cast):
    with pytest.raises(PermissionDenied):
        services.place_create(actor=cast.user(Role.GRID_WORKER), parent=cast.place("G1"), name="1号楼")


def test_history_keeps_every_change(cast):
    grid = services.place_update(actor=cast.admin, place=cast.place("G1"), name="新名")
    assert [h.name for h in grid.history.order_by("history_date")] == ["第1网格", "新名"]
