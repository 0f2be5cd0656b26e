"""The bulletins API (/api/v1/bulletins/, /rankings/, /measures/, /objections/) on the hand-worked October
(conftest.py; the figures are worked out in test_measures.py).

What the gate gives: a bulletin is read by the units at, below and named in it, so the street officials of S1 and
S2 both read the district's bulletin (it names both streets) but not each other's street bulletin. The rows behind
a figure pass the gate of the rows themselves: on the district bulletin, S1's official sees S1's cases and none of
S2's (the figure still says what was counted), a department sees only the cases dispatched to it.
"""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bulletins import selectors, services
from bulletins.models import Bulletin, Kind, Objection
from grids import services as grid_services
from grids.models import Role, User
from ledger import services as ledger_services
from wudu.measures import Period

from .conftest import at

OCTOBER = Period.month(2026, 10)
Q3 = Period.quarter(2026, 3)
S1_DUE = {"A", "B", "C", "D", "G", "H", "N", "P"}  # due in October in 新兴街道 (test_measures.py)
S1_HANDLED = {"A", "B", "D", "G", "H", "P"}


@pytest.fixture
def as_user(cast):
    def client_for(who) -> APIClient:
        user = who if isinstance(who, User) else cast.user(who)
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user.pk))  # a fresh copy: grants are cached on the user
        return client

    return client_for


@pytest.fixture
def s2_official(cast):
    return grid_services.person_appoint(actor=cast.admin, place=cast.place("S2"), role=Role.STREET_OFFICIAL,
                                        username="street_s2", real_name="丁庄街道干部", mobile="13900000003").user


@pytest.fixture
def other_department_staff(cast):
    return grid_services.person_appoint(
        actor=cast.admin, place=cast.place("D"), role=Role.DEPARTMENT_STAFF, username="huanbao_staff",
        real_name="生态环境科员", mobile="13900000004", department=cast.departments["huanbao@D"]).user


@pytest.fixture
def spot_check(cast):
    """A covert check of G1 in October, below the pass line (70 < 80): S1's 暗访达标率 is 0/1."""
    return ledger_services.spot_check_record(
        actor=cast.user(Role.COMMAND_CENTER), grid=cast.place("G1"), client_id=uuid.uuid4(),
        checked_on=datetime.date(2026, 10, 15), findings="楼道堆物", score=70)


def build(cast, place="D", period=OCTOBER, kind=Kind.BULLETIN, now=None) -> Bulletin:
    # Built now (October is closed), so that its objection window is still open for the API's real clock.
    return services.bulletin_build(place=cast.place(place), period=period, kind=kind, now=now or timezone.now())


@pytest.fixture
def district(october, spot_check, cast) -> Bulletin:
    return build(cast)


def references(answer) -> set[str]:
    return {row["cells"]["reference"] for row in answer.json()["results"]}


def names(world, refs) -> set[str]:
    by_reference = {world.case(name).reference: name for name in world.cases}
    return {by_reference[r] for r in refs}


# ---------------------------------------------------------------------------------------------- lists and detail


def test_bulletins_and_rankings_are_listed_apart_and_filtered(october, cast, as_user):
    bulletin = build(cast)
    street = build(cast, "S1")
    ranking = build(cast, period=Q3, kind=Kind.RANKING)
    client = as_user(Role.DISTRICT_OFFICIAL)
    listed = client.get(reverse("api:bulletin-list")).json()["results"]
    assert [row["id"] for row in listed] == [street.pk, bulletin.pk]  # newest first
    assert listed[1]["period_label"] == "2026年10月" and listed[1]["stage"] == "draft" and listed[1]["kind"] == "bulletin"
    assert [row["id"] for row in client.get(reverse("api:ranking-list")).json()["results"]] == [ranking.pk]
    by_place = client.get(reverse("api:bulletin-list"), {"place": cast.place("S1").code, "period": "2026-10",
                                                         "stage": "draft"})
    assert [row["id"] for row in by_place.json()["results"]] == [street.pk]
    assert client.get(reverse("api:bulletin-list"), {"period": "2026-09"}).json()["results"] == []
    assert client.get(reverse("api:ranking-list"), {"period": "2026-Q3"}).json()["results"][0]["id"] == ranking.pk
    bad = client.get(reverse("api:bulletin-list"), {"period": "2026-13"})
    assert bad.status_code == 400 and "期间格式应为" in bad.json()["period"][0]
    # A ranking is not a bulletin: each endpoint reads its own kind only.
    assert client.get(reverse("api:bulletin-detail", args=[ranking.pk])).status_code == 404
    detail = client.get(reverse("api:ranking-detail", args=[ranking.pk])).json()
    assert detail["snapshot"]["kind"] == "ranking" and detail["scheme"] == "区级默认方案"
    assert [v["id"] for v in detail["versions"]] == [ranking.pk]


def test_street_officials_read_the_district_bulletin_and_their_own_street_only(october, cast, as_user, s2_official):
    district, s1, s2 = build(cast), build(cast, "S1"), build(cast, "S2")
    seen = {row["id"] for row in as_user(Role.STREET_OFFICIAL).get(reverse("api:bulletin-list")).json()["results"]}
    assert seen == {district.pk, s1.pk}
    seen = {row["id"] for row in as_user(s2_official).get(reverse("api:bulletin-list")).json()["results"]}
    assert seen == {district.pk, s2.pk}
    refused = as_user(s2_official).get(reverse("api:bulletin-detail", args=[s1.pk]))
    assert refused.status_code == 404 and refused.json()["detail"]
    assert as_user(s2_official).get(reverse("api:bulletin-rows", args=[s1.pk]), {"measure": "case.handling"}
                                    ).status_code == 404
    # 东城区's staff read nothing of 魏都区.
    outsider = grid_services.person_appoint(actor=cast.admin, place=cast.place("S3"), role=Role.STREET_OFFICIAL,
                                            username="street_s3", real_name="东街道干部", mobile="13900000005").user
    assert as_user(outsider).get(reverse("api:bulletin-list")).json()["results"] == []


def test_the_detail_leaves_out_the_covert_check_for_grid_staff(district, cast, as_user):
    s1 = cast.place("S1").code
    official = as_user(Role.DISTRICT_OFFICIAL).get(reverse("api:bulletin-detail", args=[district.pk])).json()
    line = next(row for row in official["snapshot"]["lines"] if row["unit"] == s1)
    assert line["figures"]["spot_check.pass"] == [0, 1]
    assert "spot_check.pass" in {m["code"] for m in official["snapshot"]["measures"]}
    assert official["snapshot"]["total"]["spot_check.pass"] == [0, 1]

    worker = as_user(Role.GRID_WORKER).get(reverse("api:bulletin-detail", args=[district.pk])).json()
    assert "spot_check.pass" not in {m["code"] for m in worker["snapshot"]["measures"]}
    assert all("spot_check.pass" not in row["figures"] for row in worker["snapshot"]["lines"])
    assert "spot_check.pass" not in worker["snapshot"]["total"]
    assert "spot_check.pass" not in str(worker)
    assert worker["snapshot"]["lines"][0]["figures"]["case.handling"] == [6, 8]  # everything else as published
    # Nor may the grid's staff drill into it.
    hidden = as_user(Role.GRID_WORKER).get(reverse("api:bulletin-rows", args=[district.pk]),
                                           {"measure": "spot_check.pass", "unit": s1})
    assert hidden.status_code == 404 and hidden.json()["detail"] == "您不能查看该指标。"
    # The stored snapshot is untouched.
    assert Bulletin.objects.get(pk=district.pk).snapshot["lines"][0]["figures"]["spot_check.pass"] == [0, 1]


def test_department_staff_read_their_own_line_only(district, cast, as_user, other_department_staff):
    mine = cast.departments["chengguan@D"].pk
    body = as_user(Role.DEPARTMENT_STAFF).get(reverse("api:bulletin-detail", args=[district.pk])).json()["snapshot"]
    assert [d["department"] for d in body["departments"]] == [mine]
    assert body["departments"][0]["figures"]["case.handling"] == [7, 9]
    assert body["lines"] == [] and body["red"] == [] and body["black"] == []
    other = as_user(other_department_staff).get(reverse("api:bulletin-detail", args=[district.pk])).json()["snapshot"]
    assert [d["department"] for d in other["departments"]] == [cast.departments["huanbao@D"].pk]
    official = as_user(Role.DISTRICT_OFFICIAL).get(reverse("api:bulletin-detail", args=[district.pk])).json()
    assert len(official["snapshot"]["departments"]) == len(district.snapshot["departments"]) >= 2


# ---------------------------------------------------------------------------------------------- drill-down rows


def test_drill_down_rows_pass_the_case_gate(district, october, cast, as_user, s2_official, other_department_staff):
    url = reverse("api:bulletin-rows", args=[district.pk])
    s1, s2 = cast.place("S1").code, cast.place("S2").code
    street = as_user(Role.STREET_OFFICIAL)
    own = street.get(url, {"measure": "case.handling", "unit": s1, "part": "d"})
    assert own.status_code == 200
    body = own.json()
    assert body["figure"] == [6, 8] and body["unit_label"] == "新兴街道" and body["next"] is None
    assert names(october, references(own)) == S1_DUE
    assert names(october, references(street.get(url, {"measure": "case.handling", "unit": s1, "part": "n"}))) == \
        S1_HANDLED
    # S2's line of the same bulletin: its figure is readable, its case is not S1's to see.
    other = street.get(url, {"measure": "case.handling", "unit": s2}).json()
    assert other["figure"] == [1, 1] and other["results"] == []
    assert names(october, references(as_user(s2_official).get(url, {"measure": "case.handling", "unit": s2}))) == {"J"}
    assert as_user(s2_official).get(url, {"measure": "case.handling", "unit": s1}).json()["results"] == []
    # Departments: the line of 城市管理 holds every dispatched case; 生态环境's staff see none of them.
    department = f"d{cast.departments['chengguan@D'].pk}"
    mine = as_user(Role.DEPARTMENT_STAFF).get(url, {"measure": "case.handling", "unit": department})
    assert names(october, references(mine)) == S1_DUE | {"J"}
    assert as_user(other_department_staff).get(url, {"measure": "case.handling", "unit": department}
                                                ).json()["results"] == []
    # As of today: the same conditions on today's data (nothing changed since the build).
    today = street.get(url, {"measure": "case.handling", "unit": s1, "today": "1"})
    assert names(october, references(today)) == S1_DUE and today.json()["today"] is True


def test_drill_down_pages_with_a_cursor_at_a_constant_cost(district, october, cast, as_user, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    url = reverse("api:bulletin-rows", args=[district.pk])
    query = {"measure": "case.handling", "unit": cast.place("S1").code}
    seen, counts, link = [], [], None
    for _page in range(3):
        client = as_user(Role.STREET_OFFICIAL)  # a fresh user each time, as each request loads its grants
        with CaptureQueriesContext(connection) as queries:
            page = client.get(link) if link else client.get(url, query)
        counts.append(len(queries))
        seen += [row["cells"]["reference"] for row in page.json()["results"]]
        link = page.json()["next"]
    assert link is None and len(seen) == len(set(seen)) == 8 and names(october, seen) == S1_DUE
    assert counts[0] == counts[1] <= 3, counts  # grants, the bulletin, the page of rows


def test_bad_drill_down_queries_are_refused_with_a_message(district, cast, as_user):
    client = as_user(Role.DISTRICT_OFFICIAL)
    url = reverse("api:bulletin-rows", args=[district.pk])
    unknown = client.get(url, {"measure": "case.logins"})
    assert unknown.status_code == 400 and "没有这个指标" in unknown.json()["measure"][0]
    assert client.get(url, {"measure": "case.handling", "part": "x"}).status_code == 400
    assert client.get(url, {}).status_code == 400
    missing = client.get(url, {"measure": "case.handling", "unit": cast.place("G4").code})
    assert missing.status_code == 404 and missing.json()["detail"] == "本通报中没有这个单位。"
    total = client.get(url, {"measure": "case.handling"}).json()  # no unit: the bulletin's own place
    assert total["unit"] == cast.place("D").code and total["figure"] == [7, 9] and len(total["results"]) == 9


# ---------------------------------------------------------------------------------------------- measures


def test_measure_definitions_leave_the_covert_check_to_the_levels_above(cast, as_user):
    official = as_user(Role.DISTRICT_OFFICIAL).get(reverse("api:measure-list"))
    assert official.status_code == 200
    codes = {m["code"] for m in official.json()}
    assert {"case.handling", "case.closing_on_time", "hotline.response", "spot_check.pass"} <= codes
    handling = next(m for m in official.json() if m["code"] == "case.handling")
    assert handling["label"] == "处置率" and handling["section"] == "cases" and handling["higher_is_better"] is True
    assert "应结案事件" in handling["definition"]
    assert "spot_check.pass" not in {m["code"] for m in as_user(Role.GRID_WORKER).get(reverse("api:measure-list")).json()}


def test_todays_figures_of_a_measure_for_a_place_and_its_children(october, cast, as_user, other_department_staff):
    url = reverse("api:measure-list")
    d, s1 = cast.place("D").code, cast.place("S1").code
    district = as_user(Role.DISTRICT_OFFICIAL).get(url, {"place": d, "period": "2026-10", "measure": "case.handling"})
    assert district.status_code == 200
    body = district.json()
    assert body["total"] == [7, 9] and body["label"] == "处置率" and body["period"] == "2026-10"
    assert {c["name"]: c["figure"] for c in body["children"]} == {"新兴街道": [6, 8], "丁庄街道": [1, 1]}
    street = as_user(Role.STREET_OFFICIAL).get(url, {"place": s1, "period": "2026-10", "measure": "case.handling"})
    assert street.json()["total"] == [6, 8]
    assert {c["name"]: c["figure"] for c in street.json()["children"]} == {"董庄社区": [5, 7], "健康社区": [1, 1]}
    # A department counts only the cases dispatched to it.
    assert as_user(Role.DEPARTMENT_STAFF).get(url, {"place": d, "period": "2026-10", "measure": "case.handling"}
                                              ).json()["total"] == [7, 9]
    assert as_user(other_department_staff).get(url, {"place": d, "period": "2026-10", "measure": "case.handling"}
                                               ).json()["total"] == [0, 0]


def test_bad_measure_queries_are_refused_with_a_message(cast, as_user):
    url = reverse("api:measure-list")
    street = as_user(Role.STREET_OFFICIAL)
    s1, d = cast.place("S1").code, cast.place("D").code
    outside = street.get(url, {"place": d, "period": "2026-10", "measure": "case.handling"})
    assert outside.status_code == 404 and outside.json()["detail"] == "地点不存在或无权访问。"
    assert street.get(url, {"place": "999999", "period": "2026-10", "measure": "case.handling"}).status_code == 404
    future = street.get(url, {"place": s1, "period": "2099-01", "measure": "case.handling"})
    assert future.status_code == 400 and future.json()["period"] == ["2099年1月还未开始，没有数据。"]
    malformed = street.get(url, {"place": s1, "period": "2026-13", "measure": "case.handling"})
    assert malformed.status_code == 400 and "期间格式应为" in malformed.json()["period"][0]
    unknown = street.get(url, {"place": s1, "period": "2026-10", "measure": "app.logins"})
    assert unknown.status_code == 400 and "没有这个指标" in unknown.json()["measure"][0]
    incomplete = street.get(url, {"measure": "case.handling"})
    assert incomplete.status_code == 400 and set(incomplete.json()) == {"place", "period"}
    covert = as_user(Role.GRID_WORKER).get(url, {"place": cast.place("G1").code, "period": "2026-10",
                                                 "measure": "spot_check.pass"})
    assert covert.status_code == 404 and covert.json()["detail"] == "您不能查看该指标。"


# ---------------------------------------------------------------------------------------------- objections


def objection(cast, bulletin, place="S1", **extra) -> dict:
    return {"bulletin": bulletin.pk, "place": cast.place(place).code, "measure": "case.handling",
            "reason": "事件C已于10月24日处置，照片漏传。", **extra}


def test_filing_an_objection_twice_with_one_key_files_it_once(district, cast, as_user):
    client = as_user(Role.STREET_OFFICIAL)
    key = str(uuid.uuid4())
    first = client.post(reverse("api:objection-list"), objection(cast, district), format="json",
                        HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(reverse("api:objection-list"), objection(cast, district, reason="重复提交"), format="json",
                        HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201, first.json()
    assert first.json() == again.json()
    assert first.json()["line"] == "新兴街道" and first.json()["status"] == "pending"
    assert first.json()["filed_role"] == Role.STREET_OFFICIAL
    assert Objection.objects.filter(bulletin=district).count() == 1
    # The department speaks for its own line.
    department = cast.departments["chengguan@D"]
    filed = as_user(Role.DEPARTMENT_STAFF).post(
        reverse("api:objection-list"), {"bulletin": district.pk, "department": department.pk, "reason": "H已获批延期"},
        format="json")
    assert filed.status_code == 201 and filed.json()["line"] == "城市管理"


def test_objections_out_of_bounds_are_refused_and_nothing_is_saved(october, district, cast, as_user, s2_official):
    client = as_user(Role.STREET_OFFICIAL)
    url = reverse("api:objection-list")
    other_line = client.post(url, objection(cast, district, place="S2"), format="json")
    assert other_line.status_code == 403 and other_line.json()["detail"] == "只能对本单位的数据提出申诉。"
    above = as_user(Role.DISTRICT_OFFICIAL).post(url, objection(cast, district, place="S1"), format="json")
    assert above.status_code == 403  # the district's official does not speak for the street
    not_named = client.post(url, objection(cast, district, place="C1"), format="json")
    assert not_named.status_code == 400 and not_named.json()["place"] == ["该单位不在本通报中。"]
    s2_bulletin = build(cast, "S2")
    hidden = client.post(url, {**objection(cast, district), "bulletin": s2_bulletin.pk}, format="json")
    assert hidden.status_code == 400 and hidden.json()["bulletin"] == ["通报不存在或无权访问。"]
    no_reason = client.post(url, objection(cast, district, reason=" "), format="json")
    assert no_reason.status_code == 400 and no_reason.json()["reason"] == ["请填写申诉理由。"]
    bad_key = client.post(url, objection(cast, district), format="json", HTTP_IDEMPOTENCY_KEY="not-a-uuid")
    assert bad_key.status_code == 400
    closed = build(cast, "S1", now=at(11, 2))  # its window of 3 working days ended in early November
    late = as_user(Role.COMMUNITY_OFFICIAL).post(url, objection(cast, closed, place="C1"), format="json")
    assert late.status_code == 400 and "申诉期已于" in late.json()["detail"][0]
    assert not Objection.objects.exists()


def test_objections_are_read_with_their_bulletin_and_decided_by_the_command_center(district, cast, as_user,
                                                                                   s2_official):
    filed = as_user(Role.STREET_OFFICIAL).post(reverse("api:objection-list"), objection(cast, district), format="json")
    pk = filed.json()["id"]
    street = build(cast, "S1")
    on_street = as_user(Role.COMMUNITY_OFFICIAL).post(reverse("api:objection-list"),
                                                      objection(cast, street, place="C1"), format="json")
    assert on_street.status_code == 201
    # The district's objections are read by whoever reads the district's bulletin; S1's are not S2's business.
    listed = {row["id"] for row in as_user(s2_official).get(reverse("api:objection-list")).json()["results"]}
    assert listed == {pk}
    assert as_user(Role.STREET_OFFICIAL).get(reverse("api:objection-list"), {"bulletin": street.pk}
                                             ).json()["results"][0]["id"] == on_street.json()["id"]
    decide = reverse("api:objection-decide", args=[pk])
    refused = as_user(Role.STREET_OFFICIAL).post(decide, {"accept": True, "decision": "同意"}, format="json")
    assert refused.status_code == 403
    center = as_user(Role.COMMAND_CENTER)
    assert center.post(decide, {"accept": False}, format="json").json() == {"decision": ["请填写处理意见。"]}
    decided = center.post(decide, {"accept": False, "decision": "照片缺失不影响处置时间认定。"}, format="json")
    assert decided.status_code == 200
    assert decided.json()["status"] == "rejected" and decided.json()["decided_by"] == "指挥中心甲"
    twice = center.post(decide, {"accept": True, "decision": "改判"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "conflict"


# ---------------------------------------------------------------------------------------------- query counts


def _count(as_user, url) -> int:
    client = as_user(Role.DISTRICT_OFFICIAL)  # a fresh user: each request loads its grants
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_endpoints_cost_the_same_however_many_rows(october, cast, as_user, django_assert_max_num_queries):
    client = as_user(Role.DISTRICT_OFFICIAL)
    bulletins, rankings, objections = (reverse("api:bulletin-list"), reverse("api:ranking-list"),
                                       reverse("api:objection-list"))
    district = build(cast)
    build(cast, period=Q3, kind=Kind.RANKING)
    as_user(Role.STREET_OFFICIAL).post(objections, objection(cast, district), format="json")
    before = [_count(as_user, url) for url in (bulletins, rankings, objections)]
    for key in ("S1", "S2", "C1", "C2", "C3"):
        build(cast, key)
    for key in ("S1", "S2"):
        build(cast, key, period=Q3, kind=Kind.RANKING)
    as_user(Role.DEPARTMENT_STAFF).post(objections, {"bulletin": district.pk, "reason": "不同意",
                                                     "department": cast.departments["chengguan@D"].pk}, format="json")
    as_user(Role.COMMUNITY_OFFICIAL).post(objections, objection(cast, Bulletin.objects.get(
        place=cast.place("S1"), kind=Kind.BULLETIN), place="C1"), format="json")
    after = [_count(as_user, url) for url in (bulletins, rankings, objections)]
    assert before == after, (before, after)
    fresh = as_user(Role.DISTRICT_OFFICIAL)
    with django_assert_max_num_queries(2):  # grants, the page, and nothing per row
        fresh.get(bulletins)
    assert len(client.get(bulletins).json()["results"]) == 6
    fresh, ranking = as_user(Role.DISTRICT_OFFICIAL), Bulletin.objects.filter(kind=Kind.RANKING).first()
    with django_assert_max_num_queries(3):  # grants, the bulletin with its place and scheme, its versions
        fresh.get(reverse("api:ranking-detail", args=[ranking.pk]))
    assert len(client.get(objections).json()["results"]) == 3
