"""The public notice (统一公示): open to all, showing only what is meant to be published."""

import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from grids import geo, services
from grids.models import Role

PERSONAL_MOBILE = "13900000001"  # every cast user's own mobile: never on a public page
WORK_PHONE = "0374-5550001"  # their work phone: published


def grid_url(cast, key):
    return reverse("public:grid", args=[cast.place(key).code])


# ---------------------------------------------------------------------------------------------- index


def test_index_lists_streets_communities_and_grids_without_login(client, cast):
    response = client.get(reverse("public:index"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("魏都区", "东城区", "新兴街道", "丁庄街道", "董庄社区", "健康社区", "丁庄社区"):
        assert name in page
    for key in ("G1", "G1b", "G2", "G3", "G4"):
        assert f'href="{grid_url(cast, key)}"' in page
    # The map asks for every grid and sends clicks to locate.
    assert f'data-geojson-url="{reverse("public:map")}"' in page
    assert f'data-locate-url="{reverse("public:locate")}"' in page


def test_index_tree_nests_grids_under_their_community(cast):
    from grids.public_selectors import public_index

    index = public_index()
    weidu = next(d for d in index.districts if d.name == "魏都区")
    xinxing = next(s for s in weidu.streets if s.name == "新兴街道")
    dongzhuang = next(c for c in xinxing.communities if c.name == "董庄社区")
    assert [g.code for g in dongzhuang.grids] == [cast.place("G1").code, cast.place("G1b").code]
    assert xinxing.grid_count == 3


def test_picking_a_community_lists_its_grids_and_opens_its_street(client, cast):
    response = client.get(reverse("public:index"), {"community": cast.place("C1").code})
    assert response.context["community"].name == "董庄社区"
    assert response.context["open_street"].name == "新兴街道"
    page = response.content.decode()
    result = page.split("data-community-result", 1)[1].split("</section>", 1)[0]
    assert grid_url(cast, "G1") in result and grid_url(cast, "G1b") in result
    assert grid_url(cast, "G2") not in result
    assert f'data-street="{cast.place("S1").code}"' in page
    assert f'open data-street="{cast.place("S1").code}"' in page
    # The map zooms to the chosen community.
    assert f'?community={cast.place("C1").code}"' in page


def test_unknown_community_says_so(client, cast):
    response = client.get(reverse("public:index"), {"community": "411002999999"})
    assert response.status_code == 200
    assert "没有找到这个社区" in response.content.decode()


def test_index_adds_a_tile_layer_only_when_configured(client, cast, settings):
    page = client.get(reverse("public:index")).content.decode()
    assert 'data-tile-url=""' in page
    settings.MAP_TILE_URL = "https://tiles.example.cn/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "示例地图"
    page = client.get(reverse("public:index")).content.decode()
    assert 'data-tile-url="https://tiles.example.cn/{z}/{x}/{y}.png"' in page
    assert 'data-tile-attribution="示例地图"' in page


def test_public_pages_have_no_inline_scripts(client, cast):
    for url in (reverse("public:index"), grid_url(cast, "G1"), reverse("public:poster", args=[cast.place("G1").code])):
        page = client.get(url).content.decode()
        for chunk in page.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, head


# ---------------------------------------------------------------------------------------------- locate


def test_point_inside_a_grid_redirects_to_its_page(client, cast):
    response = client.get(reverse("public:locate"), {"lng": "113.1", "lat": "34.7"})
    assert response.status_code == 302
    assert response.url == grid_url(cast, "G1")
    response = client.get(reverse("public:locate"), {"lng": "113.4", "lat": "34.7"})
    assert response.url == grid_url(cast, "G1b")


def test_point_outside_every_grid_reshows_the_index_with_a_message(client, cast):
    response = client.get(reverse("public:locate"), {"lng": "114.5", "lat": "34.5"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "不在任何网格内" in page and "114.50000" in page
    assert "董庄社区" in page  # the index is shown again


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lng": "113.1"},
        {"lng": "abc", "lat": "34.7"},
        {"lng": "113.1", "lat": ""},
        {"lng": "nan", "lat": "34.7"},
        {"lng": "inf", "lat": "34.7"},
        {"lng": "181", "lat": "34.7"},
        {"lng": "113.1", "lat": "-90.5"},
        {"lng": "113,1", "lat": "34,7"},
    ],
)
def test_invalid_coordinates_reshow_the_index_with_a_message(client, cast, params):
    response = client.get(reverse("public:locate"), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "位置参数无效" in page and "董庄社区" in page


# ---------------------------------------------------------------------------------------------- grid page


def test_grid_page_shows_the_grid_and_its_people_without_login(client, cast):
    response = client.get(grid_url(cast, "G1"))
    assert response.status_code == 200
    page = response.content.decode()
    g1 = cast.place("G1")
    assert g1.code in page and "第1网格" in page
    assert "董庄社区" in page and "新兴街道" in page and "魏都区" in page
    area = response.context["notice"].area_m2
    assert area == g1.area_m2 and f"{area / 1e6:.2f} 平方公里（{area:.0f} 平方米）" in page
    for role in (Role.GRID_HEAD, Role.INSTRUCTOR, Role.GRID_WORKER):
        assert f"{role.label}甲" in page  # name
        assert f"{role.label}职责" in page  # duties
        assert f'data-role="{role.value}"' in page
    assert page.count(f'href="tel:{WORK_PHONE}"') == 3
    assert "G1党小组" in page
    assert "物业公司" in page and "G1物业公司" in page
    assert f'src="{reverse("public:qr", args=[g1.code])}"' in page
    assert f'href="{reverse("public:index")}"' in page
    # The boundary for the map travels as JSON, not as a script.
    boundary = json.loads(page.split('id="grid-boundary" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert boundary["type"] == "Polygon"


def test_grid_people_are_listed_head_instructor_worker(client, cast):
    notice = client.get(grid_url(cast, "G1")).context["notice"]
    assert [p.role for p in notice.people] == ["grid_head", "instructor", "grid_worker"]


def test_grid_page_publishes_no_personal_mobile_username_or_private_contact(client, cast):
    services.partner_create(
        actor=cast.admin, grid=cast.place("G1"), kind="owners_committee", name="幸福里业委会",
        contact_name="业委会主任乙", phone="13811112222",
    )
    for url in (grid_url(cast, "G1"), reverse("public:poster", args=[cast.place("G1").code])):
        page = client.get(url).content.decode()
        assert "幸福里业委会" in page and "业主委员会" in page
        assert PERSONAL_MOBILE not in page
        assert "13811112222" not in page and "业委会主任乙" not in page
        assert "13700000001" not in page and "G1党员" not in page  # party members are not on the notice
        for role in (Role.GRID_HEAD, Role.INSTRUCTOR, Role.GRID_WORKER):
            assert f"u_{role.value}" not in page


def test_person_without_a_real_name_does_not_show_the_username(client, cast):
    services.person_appoint(
        actor=cast.admin, place=cast.place("G1"), role=Role.GRID_WORKER, username="nameless_worker",
        real_name="", mobile="13900000009", work_phone="0374-5550009",
    )
    page = client.get(grid_url(cast, "G1")).content.decode()
    assert "nameless_worker" not in page and "13900000009" not in page
    assert "姓名未公示" in page and "0374-5550009" in page


def test_grid_page_of_a_grid_without_people_or_boundary(client, cast):
    grid = services.place_create(actor=cast.admin, parent=cast.place("C4"), name="第9网格")
    page = client.get(reverse("public:grid", args=[grid.code])).content.decode()
    assert "尚未配备人员" in page and "尚未建立党组织" in page and "该网格尚未标绘边界" in page


@pytest.mark.parametrize("key", ["CITY", "D", "S1", "C1", "B1"])
def test_places_that_are_not_grids_are_not_found(client, cast, key):
    code = cast.place(key).code
    assert client.get(reverse("public:grid", args=[code])).status_code == 404
    assert client.get(reverse("public:qr", args=[code])).status_code == 404
    assert client.get(reverse("public:poster", args=[code])).status_code == 404


@pytest.mark.parametrize("code", ["411002999999999", "nope", "0"])
def test_unknown_codes_are_not_found(client, cast, code):
    assert client.get(reverse("public:grid", args=[code])).status_code == 404
    assert client.get(reverse("public:qr", args=[code])).status_code == 404


def test_poster_shows_people_and_qr(client, cast):
    g1 = cast.place("G1")
    page = client.get(reverse("public:poster", args=[g1.code])).content.decode()
    assert "网格长甲" in page and WORK_PHONE in page and "公示牌" in page
    assert f'src="{reverse("public:qr", args=[g1.code])}"' in page
    assert f"http://testserver{grid_url(cast, 'G1')}" in page


# ---------------------------------------------------------------------------------------------- QR


def _decode_qr(png: bytes) -> str:
    """The QR's text, read back with a real decoder (zxing-cpp, in requirements.txt)."""
    import zxingcpp

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_qr_is_a_png_of_the_grid_page_address(client, cast):
    response = client.get(reverse("public:qr", args=[cast.place("G1").code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    png = response.content
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] == image.size[1] >= 200
    assert _decode_qr(png) == f"http://testserver{grid_url(cast, 'G1')}"


def test_qr_uses_the_public_base_url_when_set(client, cast, settings):
    settings.PUBLIC_BASE_URL = "https://wangge.example.cn/"
    png = client.get(reverse("public:qr", args=[cast.place("G1").code])).content
    assert _decode_qr(png) == f"https://wangge.example.cn{grid_url(cast, 'G1')}"


# ---------------------------------------------------------------------------------------------- GeoJSON


def test_map_is_a_feature_collection_of_grids(client, cast):
    response = client.get(reverse("public:map"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert response["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in collection["features"]}
    assert set(by_code) == {cast.place(k).code for k in ("G1", "G1b", "G2", "G3", "G4")}
    g1 = by_code[cast.place("G1").code]
    assert g1["type"] == "Feature"
    assert g1["properties"] == {
        "code": cast.place("G1").code, "name": "第1网格", "community": "董庄社区", "url": grid_url(cast, "G1"),
        "community_code": cast.place("C1").code, "street": "新兴街道",
    }
    assert geo.parse_boundary(g1["geometry"]).bbox == (113.0, 34.5, 113.25, 35.0)


def test_map_can_be_limited_to_one_community(client, cast):
    collection = client.get(reverse("public:map"), {"community": cast.place("C1").code}).json()
    assert [f["properties"]["name"] for f in collection["features"]] == ["第1网格", "第2网格"]
    assert {f["properties"]["community"] for f in collection["features"]} == {"董庄社区"}
    assert client.get(reverse("public:map"), {"community": "nope"}).json()["features"] == []
    # A grid code is not a community.
    assert client.get(reverse("public:map"), {"community": cast.place("G1").code}).json()["features"] == []


def test_map_leaves_out_grids_without_a_boundary(client, cast):
    services.place_create(actor=cast.admin, parent=cast.place("C4"), name="第9网格")
    assert len(client.get(reverse("public:map")).json()["features"]) == 5


# ---------------------------------------------------------------------------------------------- query counts


def grow(cast, n: int) -> None:
    """More of everything: a new district with n bounded grids, and n more people and partners on G1."""
    admin = cast.admin
    district = services.place_create(actor=admin, parent=cast.place("CITY"), name="新区", county_seq=50)
    street = services.place_create(actor=admin, parent=district, name="新区街道")
    community = services.place_create(actor=admin, parent=street, name="新区社区")
    for i in range(n):
        grid = services.place_create(
            actor=admin, parent=community, name=f"第{i + 1}网格",
            boundary=geo.rectangle(117 + i * 0.1, 34.0, 117.1 + i * 0.1, 34.1),
        )
        services.partner_create(actor=admin, grid=grid, kind="resident_unit", name=f"单位{i}")
    for i in range(n):
        services.person_appoint(
            actor=admin, place=cast.place("G1"), role=Role.GRID_WORKER, username=f"extra{i}",
            real_name=f"加派网格员{i}", mobile="13900000003", work_phone="0374-5550003",
        )
        services.partner_create(actor=admin, grid=cast.place("G1"), kind="building_head", name=f"楼栋长{i}")


PAGES = [
    # (name, url builder, params, queries)
    ("index", lambda cast: reverse("public:index"), {}, 1),
    ("index with community", lambda cast: reverse("public:index"), {"community": "C1"}, 1),
    ("map", lambda cast: reverse("public:map"), {}, 1),
    ("map of a community", lambda cast: reverse("public:map"), {"community": "C1"}, 1),
    # grid with community, street and district; staff with users; party organisation; partners; the grid's code
    # for its community's event calendar (outreach)
    ("grid", lambda cast: grid_url(cast, "G1"), {}, 5),
    ("poster", lambda cast: reverse("public:poster", args=[cast.place("G1").code]), {}, 5),
    ("qr", lambda cast: reverse("public:qr", args=[cast.place("G1").code]), {}, 1),
    ("locate hit", lambda cast: reverse("public:locate"), {"lng": "113.1", "lat": "34.7"}, 1),
    # the bounding-box candidates, then the index shown again
    ("locate miss", lambda cast: reverse("public:locate"), {"lng": "114.5", "lat": "34.5"}, 2),
]


@pytest.mark.parametrize("name, url_of, params, queries", PAGES, ids=[p[0] for p in PAGES])
def test_public_pages_use_a_constant_number_of_queries(client, cast, django_assert_num_queries, name, url_of, params,
                                                      queries):
    params = {k: cast.place(v).code if v in cast.places else v for k, v in params.items()}
    url = url_of(cast)
    with django_assert_num_queries(queries):
        assert client.get(url, params).status_code in (200, 302)
    grow(cast, 6)
    with django_assert_num_queries(queries):
        response = client.get(url, params)
    assert response.status_code in (200, 302)
    if name == "grid":
        assert len(response.context["notice"].people) == 9 and len(response.context["notice"].partners) == 7
    if name == "map":
        assert len(response.json()["features"]) == 11
