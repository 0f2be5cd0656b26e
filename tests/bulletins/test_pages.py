"""The bulletin pages as their readers use them, on the hand-worked October (conftest.py; figures in
test_measures.py): a rate and its rows, who sees which measure and which rows, objections and their answers,
publication as an immutable snapshot, restatements, rankings, weight schemes, and pinned query counts."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
import tinyhtml5
from django.urls import reverse
from django.utils import timezone

from bulletins import services
from bulletins.forms import speaks_for
from bulletins.models import Bulletin, Kind, Objection, ObjectionStatus, Stage, WeightScheme
from cases import services as case_services
from cases.models import Source
from grids import services as grid_services
from tests.cast import appoint_multi_role
from wudu.measures import Period

from .conftest import at, key

OCTOBER = "2026-10"
XHTML = {"h": "http://www.w3.org/1999/xhtml"}


def build(cast, place="D", kind=Kind.BULLETIN, period=None, now=None):
    """A draft built now: its objection window is still open (the October fixture is long closed)."""
    period = period or Period.month(2026, 10)
    bulletin = services.bulletin_build(place=cast.place(place), period=period, kind=kind, now=now or timezone.now())
    bulletin.refresh_from_db()  # the build bumps `lock` in the database only
    return bulletin


def page(client, user, bulletin, **query):
    client.force_login(user)
    response = client.get(reverse("bulletins:detail", args=[bulletin.pk]), query)
    assert response.status_code == 200, response.status_code
    return response


def doc(response):
    return tinyhtml5.parse(response.content.decode())


def text(element) -> str:
    return "".join(element.itertext()).strip()


def cell(response, section: str, unit: str, measure: str):
    tree = doc(response)
    row = tree.find(f".//h:div[@data-section='{section}']//h:tr[@data-unit='{unit}']", XHTML)
    assert row is not None, f"no line {unit} in {section}"
    return row.find(f"h:td[@data-cell='{measure}']", XHTML)


def link(element, part: str) -> str:
    return element.find(f".//h:a[@data-part='{part}']", XHTML).get("href")


def references(response) -> set[str]:
    return {text(a) for a in doc(response).findall(".//h:a[@data-reference]", XHTML)}


def names(october, *letters) -> set[str]:
    return {october.case(letter).reference for letter in letters}


def late_october_case(cast, october, grid="G2", department=None):
    """Late data: a hotline call of 20 October entered and dispatched only now, due in October."""
    center = cast.user("command_center")
    case = case_services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place(grid),
                                     category=october.case("A").category, description="迟报的来电", key=key(),
                                     now=at(10, 20, 9))
    case_services.case_dispatch(actor=center, case=case, version=case.version, deadline=at(10, 25), key=key(),
                                now=at(10, 20), **({"department": department} if department else {}))
    return case


def publishable(bulletin):
    """The window over (a draft may be changed in place; the page's publish button is then offered)."""
    Bulletin.objects.filter(pk=bulletin.pk).update(objection_until=timezone.now() - datetime.timedelta(minutes=1))
    bulletin.refresh_from_db()
    return bulletin


# ---------------------------------------------------------------------------------------------- figures and rows


def test_a_zero_denominator_shows_a_dash_never_a_percentage(client, cast, october):
    bulletin = build(cast)
    response = page(client, cast.user("district_official"), bulletin)
    # 丁庄街道's one hotline call (J) was answered and resolved, and never rated: 热线满意率 has nothing to count
    empty = cell(response, "hotline", cast.place("S2").code, "hotline.satisfaction")
    assert text(empty.find("h:div[@class='rate none']", XHTML)) == "—"
    assert "0%" not in text(empty) and "100%" not in text(empty) and "0/0" in text(empty)
    assert empty.find(".//h:a", XHTML) is None  # nothing to list
    assert text(cell(response, "hotline", cast.place("S2").code, "hotline.resolution")).startswith("100.00%")
    counted = cell(response, "reports", cast.place("S1").code, "case.report_accuracy")
    assert text(counted).startswith("50.00%") and "1/2" in text(counted)
    # no grid worker's report at all in 丁庄街道: named once, not a row of dashes
    names = doc(response).find(".//h:div[@data-section='reports']//h:tr[@class='names']", XHTML)
    assert "丁庄街道" in text(names) and "无数据" in text(names)


def test_a_click_on_a_numerator_lists_exactly_the_rows_of_the_snapshot(client, cast, october):
    bulletin = build(cast)
    response = page(client, cast.user("district_official"), bulletin)
    on_time = cell(response, "cases", cast.place("S1").code, "case.handling_on_time")
    assert "3/8" in text(on_time)
    rows = client.get(link(on_time, "n"))
    assert rows.status_code == 200
    assert references(rows) == names(october, "A", "G", "P")
    everything = client.get(link(on_time, "d"))
    assert references(everything) == names(october, "A", "B", "C", "D", "G", "H", "N", "P")
    assert "按期处置率" in rows.content.decode() and "下一页" not in rows.content.decode()


def test_the_drill_down_pages_in_keyset_pages(client, cast, october, monkeypatch):
    from bulletins import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    bulletin = build(cast)
    client.force_login(cast.user("command_center"))
    url = reverse("bulletins:rows", args=[bulletin.pk])
    first = client.get(url, {"measure": "case.handling", "unit": cast.place("S1").code, "part": "d"})
    seen = references(first)
    assert len(seen) == 3 and "下一页" in first.content.decode()
    after = re.search(r'href="\?([^"]*after=[^"]+)"', first.content.decode())[1].replace("&amp;", "&")
    second = client.get(f"{url}?{after}")
    assert len(references(second)) == 3 and not seen & references(second)


def test_a_department_sees_only_its_own_cases_in_a_drill_down(client, cast, october):
    other = late_october_case(cast, october, department=cast.departments["huanbao@D"])
    bulletin = build(cast)
    total = cast.place("D").code
    url = reverse("bulletins:rows", args=[bulletin.pk])
    query = {"measure": "case.handling", "unit": total, "part": "d"}
    client.force_login(cast.user("command_center"))
    assert other.reference in references(client.get(url, query))
    client.force_login(cast.user("department_staff"))  # 城市管理
    theirs = references(client.get(url, query))
    assert theirs == names(october, "A", "B", "C", "D", "G", "H", "N", "P", "J")
    assert other.reference not in theirs


def test_a_grid_worker_never_sees_the_spot_check_measure(client, cast, october):
    bulletin = build(cast)
    worker = page(client, cast.user("grid_worker"), bulletin).content.decode()
    assert "暗访" not in worker and "spot_check" not in worker
    drill = client.get(reverse("bulletins:rows", args=[bulletin.pk]),
                       {"measure": "spot_check.pass", "unit": cast.place("D").code, "part": "d"})
    assert drill.status_code == 404
    official = page(client, cast.user("district_official"), bulletin).content.decode()
    assert "暗访达标率" in official


def test_a_grid_worker_who_is_also_an_official_does_not_see_the_spot_checks_of_their_own_grid(client, cast,
                                                                                              october):
    appoint_multi_role(cast)
    bulletin = build(cast, place="C1")
    response = page(client, cast.user("head_official"), bulletin).content.decode()
    assert "暗访" not in response


@pytest.mark.parametrize("query", [
    {"measure": "case.nothing", "unit": "D", "part": "n"},
    {"measure": "case.handling", "unit": "999999", "part": "n"},
    {"measure": "case.handling", "unit": "D", "part": "x"},
    {"measure": "case.handling"},
])
def test_a_drill_down_that_does_not_fit_is_404(client, cast, october, query):
    bulletin = build(cast)
    client.force_login(cast.user("command_center"))
    query = {k: cast.place("D").code if v == "D" else v for k, v in query.items()}
    assert client.get(reverse("bulletins:rows", args=[bulletin.pk]), query).status_code == 404


def test_a_bulletin_outside_the_readers_place_is_404(client, cast, october):
    bulletin = build(cast, place="S2")
    client.force_login(cast.user("community_official"))  # 董庄社区, in the other street
    assert client.get(reverse("bulletins:detail", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("bulletins:rows", args=[bulletin.pk]),
                      {"measure": "case.handling", "unit": cast.place("S2").code, "part": "d"}).status_code == 404


def test_the_page_shows_the_lists_the_units_apart_the_rules_and_the_chart_data(client, cast, october):
    bulletin = build(cast, place="S1")
    response = page(client, cast.user("street_official"), bulletin)
    body = response.content.decode()
    tree = doc(response)
    red = text(tree.find(".//h:div[@data-list='red']", XHTML))
    assert "董庄社区" in red and "不分先后" in body
    # 健康社区 has one case due: listed apart, not ranked
    heads = [text(h) for h in tree.findall(".//h:div[@data-section='cases']//h:tr[@class='group-head']", XHTML)]
    assert "不排名（样本不足）" in heads and "部门" in heads
    assert "各项权重" not in body and "处置率 × 30" in body and "最低样本量" in body
    assert "市容环境" in body  # the time limits in force
    assert 'id="chart-data"' in body and "echarts.min.js" in body
    assert tree.find(".//h:div[@data-section='cases']//h:tr[@class='total']", XHTML) is not None


def test_the_reader_list_pages_and_filters_by_kind(client, cast, october):
    bulletin = build(cast)
    ranking = build(cast, kind=Kind.RANKING, period=Period.quarter(2026, 3))
    client.force_login(cast.user("street_official"))
    body = client.get(reverse("bulletins:list")).content.decode()
    assert f'data-bulletin="{bulletin.pk}"' in body and f'data-bulletin="{ranking.pk}"' in body
    assert "2026年10月" in body and "征求意见稿" in body and "第 1 版" in body
    only = client.get(reverse("bulletins:list"), {"kind": "ranking"}).content.decode()
    assert f'data-bulletin="{bulletin.pk}"' not in only and f'data-bulletin="{ranking.pk}"' in only


def test_the_list_reads_the_newest_period_first_in_keyset_pages(client, cast, october, monkeypatch):
    from bulletins import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    october_ = build(cast)
    september = build(cast, period=Period.month(2026, 9))
    street = build(cast, place="S1")
    client.force_login(cast.user("district_official"))
    first = client.get(reverse("bulletins:list")).content.decode()
    assert re.findall(r'data-bulletin="(\d+)"', first) == [str(street.pk), str(october_.pk)]
    after = re.search(r'href="\?([^"]*after=[^"]+)"', first)[1].replace("&amp;", "&")
    second = client.get(f"{reverse('bulletins:list')}?{after}").content.decode()
    assert re.findall(r'data-bulletin="(\d+)"', second) == [str(september.pk)]


# ---------------------------------------------------------------------------------------------- objections


def object_to(client, user, bulletin, unit, *, reason="G 的返工是因群众重复投诉，不应计入", idem=None, **extra):
    client.force_login(user)
    return client.post(reverse("bulletins:object", args=[bulletin.pk]),
                       {"unit": unit, "reason": reason, "idempotency_key": idem or str(uuid.uuid4()), **extra})


def test_an_objection_filed_twice_with_the_same_key_makes_one(client, cast, october):
    bulletin = build(cast)
    same = str(uuid.uuid4())
    official = cast.user("street_official")
    first = object_to(client, official, bulletin, cast.place("S1").code, idem=same, measure="case.rework")
    again = object_to(client, official, bulletin, cast.place("S1").code, idem=same, measure="case.rework")
    assert first.status_code == again.status_code == 302
    assert Objection.objects.filter(bulletin=bulletin).count() == 1
    shown = page(client, official, bulletin).content.decode()
    assert "G 的返工是因群众重复投诉" in shown and "待处理" in shown


def test_an_objection_on_another_units_line_is_refused_with_the_message(client, cast, october):
    bulletin = build(cast)
    response = object_to(client, cast.user("street_official"), bulletin, cast.place("S2").code,
                         reason="丁庄街道的数据不对")
    assert response.status_code == 403
    body = response.content.decode()
    assert "只能对本单位的数据提出申诉。" in body and "丁庄街道的数据不对" in body  # the input is kept
    assert not Objection.objects.exists()


def test_an_objection_without_a_reason_keeps_the_input(client, cast, october):
    bulletin = build(cast)
    response = object_to(client, cast.user("street_official"), bulletin, cast.place("S1").code, reason="",
                         case_reference=october.case("C").reference)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写申诉理由。" in body and october.case("C").reference in body


def test_the_form_is_offered_to_the_units_named_and_agrees_with_the_service(client, cast, october):
    appoint_multi_role(cast)
    bulletin = build(cast)
    lines = bulletin.snapshot["lines"] + bulletin.snapshot["departments"]
    from bulletins.services import _line_grant
    from grids.models import Department, Place

    for name, user in cast.users.items():
        offered = {line["unit"] for line in speaks_for(user, bulletin)}
        accepted = set()
        for line in lines:
            unit = line["unit"]
            place = None if unit.startswith("d") else Place.objects.get(code=unit)
            department = Department.objects.get(pk=int(unit[1:])) if unit.startswith("d") else None
            if _line_grant(user, bulletin, place, department) is not None:
                accepted.add(unit)
        assert offered == accepted, name
    assert {line["unit"] for line in speaks_for(cast.user("street_official"), bulletin)} == {cast.place("S1").code}
    grid_page = page(client, cast.user("grid_worker"), bulletin).content.decode()
    assert "提交申诉" not in grid_page and "您所在的单位不在本通报所列之中" in grid_page
    assert "提交申诉" in page(client, cast.user("street_official"), bulletin).content.decode()


def test_the_command_center_accepts_an_objection_and_takes_the_case_out(client, cast, october):
    bulletin = build(cast)
    s1 = cast.place("S1").code
    object_to(client, cast.user("street_official"), bulletin, s1, measure="case.overdue_open",
              case_reference=october.case("N").reference, reason="N 已挂账，规划未批")
    objection = Objection.objects.get()
    client.force_login(cast.user("command_center"))
    center_page = page(client, cast.user("command_center"), bulletin).content.decode()
    assert "采纳" in center_page and "核减该事件" in center_page
    url = reverse("bulletins:decide", args=[bulletin.pk, objection.pk])
    refused = client.post(url, {f"o{objection.pk}-verdict": "accept", f"o{objection.pk}-decision": ""})
    assert refused.status_code == 400 and "请填写处理意见。" in refused.content.decode()
    done = client.post(url, {f"o{objection.pk}-verdict": "accept", f"o{objection.pk}-decision": "挂账经审批，核减",
                             f"o{objection.pk}-exclude_case": "on"})
    assert done.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.ACCEPTED
    after = page(client, cast.user("street_official"), bulletin)
    assert "已采纳" in after.content.decode() and "挂账经审批，核减" in after.content.decode()
    assert "3/7" in text(cell(after, "cases", s1, "case.handling_on_time"))  # N no longer counted
    assert "1/7" in text(cell(after, "cases", s1, "case.overdue_open"))


def test_only_the_command_center_settles_objections(client, cast, october):
    bulletin = build(cast)
    object_to(client, cast.user("street_official"), bulletin, cast.place("S1").code)
    objection = Objection.objects.get()
    client.force_login(cast.user("district_official"))
    response = client.post(reverse("bulletins:decide", args=[bulletin.pk, objection.pk]),
                           {f"o{objection.pk}-verdict": "reject", f"o{objection.pk}-decision": "不采纳"})
    assert response.status_code == 403
    assert Objection.objects.get().status == ObjectionStatus.PENDING


# ---------------------------------------------------------------------------------------------- publication


def publish(client, user, bulletin, lock=None):
    client.force_login(user)
    return client.post(reverse("bulletins:publish", args=[bulletin.pk]),
                       {"lock": bulletin.lock if lock is None else lock})


def test_publishing_before_the_window_or_with_pending_objections_is_refused(client, cast, october):
    bulletin = build(cast)
    center = cast.user("command_center")
    body = page(client, center, bulletin).content.decode()
    assert "申诉期至" in body and reverse("bulletins:publish", args=[bulletin.pk]) not in body
    early = publish(client, center, bulletin)
    assert early.status_code == 400 and "期满后才能发布" in early.content.decode()
    object_to(client, cast.user("street_official"), bulletin, cast.place("S1").code)
    publishable(bulletin)
    pending = publish(client, center, bulletin)
    assert pending.status_code == 400 and "还有申诉未处理" in pending.content.decode()
    assert Bulletin.objects.get(pk=bulletin.pk).stage == Stage.DRAFT


def test_a_rebuilt_draft_is_not_published_unseen(client, cast, october):
    bulletin = publishable(build(cast))
    seen = bulletin.lock
    build(cast)  # the draft rebuilt meanwhile (by the beat, or another member of the command center)
    response = publish(client, cast.user("command_center"), bulletin, lock=seen)
    assert response.status_code == 409 and "重新生成" in response.content.decode()
    assert Bulletin.objects.get(pk=bulletin.pk).stage == Stage.DRAFT


def test_after_publication_the_page_does_not_change_and_a_restatement_appears(client, cast, october):
    bulletin = publishable(build(cast))
    center = cast.user("command_center")
    assert reverse("bulletins:publish", args=[bulletin.pk]) in page(client, center, bulletin).content.decode()
    assert publish(client, center, bulletin).status_code == 302
    reader = cast.user("street_official")
    s1 = cast.place("S1").code

    def tables(response):
        return [text(s) for s in doc(response).findall(".//h:div[@data-section]", XHTML)]

    before = page(client, reader, bulletin)
    assert "已发布" in before.content.decode()
    late = late_october_case(cast, october)
    after = page(client, reader, bulletin)
    assert tables(after) == tables(before)
    assert "3/8" in text(cell(after, "cases", s1, "case.handling_on_time"))
    assert late.reference not in references(client.get(link(cell(after, "cases", s1, "case.handling"), "d")))
    today = client.get(link(cell(after, "cases", s1, "case.handling"), "d") + "&today=1")
    assert late.reference in references(today)
    assert services.restatements_check(now=timezone.now()) == 1
    noted = page(client, reader, bulletin)
    assert tables(noted) == tables(before)
    note = doc(noted).find(f".//h:tr[@data-difference='{s1} case.handling']", XHTML)
    assert note is not None and "6/8" in text(note) and "6/9" in text(note)


def test_a_correction_makes_a_new_version_and_the_old_one_stays_readable(client, cast, october):
    bulletin = publishable(build(cast))
    services.bulletin_publish(actor=cast.user("command_center"), bulletin=bulletin)
    late_october_case(cast, october)
    client.force_login(cast.user("command_center"))
    url = reverse("bulletins:correct", args=[bulletin.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "请填写更正原因。" in empty.content.decode()
    response = client.post(url, {"reason": "补录 10 月 20 日来电"})
    draft = Bulletin.objects.get(kind=Kind.BULLETIN, place=cast.place("D"), period=OCTOBER, version=2)
    assert response["Location"] == reverse("bulletins:detail", args=[draft.pk])
    new = page(client, cast.user("street_official"), draft)
    assert "补录 10 月 20 日来电" in new.content.decode() and "第 2 版" in new.content.decode()
    assert "6/9" in text(cell(new, "cases", cast.place("S1").code, "case.handling"))
    old = page(client, cast.user("street_official"), bulletin)
    assert "6/8" in text(cell(old, "cases", cast.place("S1").code, "case.handling"))
    assert 'data-version-link="2"' in old.content.decode()


def test_the_rebuild_button_enqueues_the_build_and_the_page_follows_it(client, cast, october, settings,
                                                                       django_capture_on_commit_callbacks):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # no broker in tests: the task runs when the request commits
    bulletin = build(cast)
    late_october_case(cast, october)
    client.force_login(cast.user("street_official"))
    assert client.post(reverse("bulletins:rebuild", args=[bulletin.pk])).status_code == 403
    client.force_login(cast.user("command_center"))
    seen = page(client, cast.user("command_center"), bulletin)
    since = re.search(r'data-rebuilding="(\d+)"', page(
        client, cast.user("command_center"), bulletin,
        since=str(int(bulletin.built_at.timestamp() * 1_000_000))).content.decode())[1]
    assert "按今日数据重新生成" in seen.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("bulletins:rebuild", args=[bulletin.pk]))
    assert len(callbacks) == 1
    assert response["Location"].endswith(f"?since={since}")
    done = client.get(response["Location"])
    assert "重新生成。" in done.content.decode() and "data-rebuilding" not in done.content.decode()
    assert "6/9" in text(cell(done, "cases", cast.place("S1").code, "case.handling"))
    status = client.get(reverse("bulletins:status", args=[bulletin.pk])).json()
    assert status["built_at"] != since


# ---------------------------------------------------------------------------------------------- rankings


def test_a_ranking_shows_peer_groups_intervals_the_median_test_and_why_ranks_moved(client, cast, october):
    center = cast.user("command_center")
    q3 = services.bulletin_build(place=cast.place("D"), period=Period.quarter(2026, 3), kind=Kind.RANKING,
                                 now=at(10, 2))
    services.bulletin_publish(actor=center, bulletin=q3, now=at(10, 20))
    q4 = services.bulletin_build(place=cast.place("D"), period=Period.quarter(2026, 4), kind=Kind.RANKING,
                                 now=timezone.make_aware(datetime.datetime(2027, 1, 4, 9)))
    response = page(client, cast.user("district_official"), q4)
    tree = doc(response)
    groups = [g.get("data-group") for g in tree.findall(".//h:details[@data-group]", XHTML)]
    assert groups[0] == cast.place("D").code and groups[-1] == "departments"
    assert cast.place("S1").code in groups and cast.place("C1").code in groups
    s1 = tree.find(f".//h:details[@data-group='{cast.place('D').code}']//h:tr[@data-unit='{cast.place('S1').code}']",
                   XHTML)
    assert text(s1.find("h:td[@data-rank]", XHTML)) == "1"
    assert s1.find(".//h:span[@data-indistinct]", XHTML) is not None  # alone in its group: it is the median
    assert re.search(r"\d+\.\d–\d+\.\d", text(s1))  # the score's interval
    why = s1.findall(".//h:a[@data-why]", XHTML)
    assert why, "the change since last quarter is explained per measure"
    rows = client.get(why[0].get("href"))
    assert rows.status_code == 200
    s2 = tree.find(f".//h:tr[@data-unit='{cast.place('S2').code}']", XHTML)
    assert s2.get("data-state") == "small"
    assert 'id="funnel-' in response.content.decode()
    assert "不排名（样本不足）" in response.content.decode()


# ---------------------------------------------------------------------------------------------- weight schemes


def scheme_post(weights=None, **fields):
    data = {"name": "街道考核方案", "min_volume": "5", "band_label_0": "优秀", "band_min_0": "90",
            "band_label_1": "合格", "band_min_1": "60"}
    data.update({f"w_{code}": value for code, value in (weights or {"case.handling": 60,
                                                                     "case.handling_on_time": 40}).items()})
    data.update(fields)
    return data


def test_weight_schemes_refuse_a_wrong_sum_and_a_negative_minimum_and_keep_the_input(client, cast):
    client.force_login(cast.user("command_center"))
    url = reverse("bulletins:scheme_new")
    wrong = client.post(url, scheme_post({"case.handling": 60, "case.handling_on_time": 30}))
    assert wrong.status_code == 400
    body = wrong.content.decode()
    assert "各项权重之和应为 100（现为 90）。" in body and 'value="街道考核方案"' in body and 'value="30"' in body
    negative = client.post(url, scheme_post(min_volume="-1"))
    assert negative.status_code == 400 and "最低样本量不能为负数。" in negative.content.decode()
    assert 'value="-1"' in negative.content.decode()
    assert not WeightScheme.objects.filter(name="街道考核方案").exists()
    saved = client.post(url, scheme_post())
    assert saved.status_code == 302
    scheme = WeightScheme.objects.get(name="街道考核方案")
    assert scheme.weights == [{"measure": "case.handling", "weight": 60},
                              {"measure": "case.handling_on_time", "weight": 40}]
    edit = client.get(reverse("bulletins:scheme_edit", args=[scheme.pk])).content.decode()
    assert 'value="60"' in edit
    stale = client.post(reverse("bulletins:scheme_edit", args=[scheme.pk]),
                        scheme_post(version=str(scheme.version + 5)))
    assert stale.status_code == 409
    assert "街道考核方案" in client.get(reverse("bulletins:schemes")).content.decode()


def test_only_the_command_center_and_the_system_admin_keep_weight_schemes(client, cast):
    client.force_login(cast.user("district_official"))
    assert client.get(reverse("bulletins:schemes")).status_code == 403
    assert client.post(reverse("bulletins:scheme_new"), scheme_post()).status_code == 403
    client.force_login(cast.user("system_admin"))
    assert client.get(reverse("bulletins:schemes")).status_code == 200


# ---------------------------------------------------------------------------------------------- query counts


def more_places_and_rows(cast, october, streets=3, cases=6):
    admin = cast.admin
    for index in range(streets):
        street = grid_services.place_create(actor=admin, parent=cast.place("D"), name=f"新街道{index}")
        community = grid_services.place_create(actor=admin, parent=street, name=f"新社区{index}")
        grid_services.place_create(actor=admin, parent=community, name="第1网格")
    for _ in range(cases):
        late_october_case(cast, october, grid="G3")


def queries(client, url, query, at_most) -> int:
    """One request's queries, at most `at_most`; the count, to compare two sizes of data."""
    with at_most as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


def test_the_bulletin_page_costs_the_same_queries_with_more_lines_and_rows(client, cast, october,
                                                                          django_assert_max_num_queries):
    bulletin = build(cast)
    object_to(client, cast.user("street_official"), bulletin, cast.place("S1").code)
    client.force_login(cast.user("command_center"))
    url = reverse("bulletins:detail", args=[bulletin.pk])
    client.get(url)  # the calendar banner's end is cached after the first page
    # session, user, grants, the bulletin (with place, scheme, publisher), its objections, versions, restatements
    small = queries(client, url, {}, django_assert_max_num_queries(7))
    more_places_and_rows(cast, october)
    bulletin = build(cast)
    for _ in range(3):
        object_to(client, cast.user("street_official"), bulletin, cast.place("S1").code)
    assert len(bulletin.snapshot["lines"]) == 5 and Objection.objects.count() == 4
    client.force_login(cast.user("command_center"))
    assert queries(client, url, {}, django_assert_max_num_queries(7)) == small


def test_the_drill_down_costs_the_same_queries_with_more_rows(client, cast, october, django_assert_max_num_queries):
    bulletin = build(cast)
    client.force_login(cast.user("command_center"))
    url = reverse("bulletins:rows", args=[bulletin.pk])
    published = {"measure": "case.handling", "unit": cast.place("D").code, "part": "d"}
    today = {**published, "today": "1"}
    client.get(url, published)
    # session, user, grants, the bulletin, the page of rows (with grid, category and department)
    small = [queries(client, url, q, django_assert_max_num_queries(5)) for q in (published, today)]
    more_places_and_rows(cast, october, streets=0, cases=12)
    build(cast)
    assert [queries(client, url, q, django_assert_max_num_queries(5)) for q in (published, today)] == small


def test_a_ranking_page_costs_one_query_more_than_a_bulletin(client, cast, october, django_assert_max_num_queries):
    ranking = build(cast, kind=Kind.RANKING, period=Period.quarter(2026, 3))
    client.force_login(cast.user("district_official"))
    url = reverse("bulletins:detail", args=[ranking.pk])
    client.get(url)
    queries(client, url, {}, django_assert_max_num_queries(8))  # + last quarter's published ranking
