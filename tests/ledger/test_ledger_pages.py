"""The ledger page and its exports, as a community official reads them."""

import datetime
import io
import subprocess
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grids.models import Role, User
from ledger import services as ledger
from ledger.models import FindingCategory, Visit


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def visits(cast):
    """Yesterday: 3 visits in G1 (one open safety finding) and 1 in G1b; one in G3 (another street)."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    safety = FindingCategory.objects.get(code="safety")

    def walk(worker, grid, n, **kwargs):
        patrol = ledger.patrol_start(actor=worker, grid=grid, client_id=uuid.uuid4(), started_at=_at(day, 8))
        for i in range(n):
            ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                                visited_at=_at(day, 8, 10 + i), **(kwargs if i == 0 else {}))
        ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(day, 9))

    walk(cast.user(Role.GRID_WORKER), cast.place("G1"), 3, category=safety, finding="电动车楼道充电", settled=False)
    walk(User.objects.get(username="worker_G1b"), cast.place("G1b"), 1)
    walk(User.objects.get(username="worker_G3"), cast.place("G3"), 1)
    return day


def test_community_official_reads_the_ledger_of_their_community(client, cast, visits):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    page = client.get(reverse("ledger:list"), {"date_from": visits.isoformat()})
    assert page.status_code == 200
    assert len(page.context["rows"]) == 4
    assert "电动车楼道充电" in page.content.decode()


def test_filters_by_grid_category_and_settled(client, cast, visits):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    page = client.get(reverse("ledger:list"), {"date_from": visits.isoformat(), "place": cast.place("G1").code,
                                               "category": "safety", "settled": "no"})
    assert [v.finding for v in page.context["rows"]] == ["电动车楼道充电"]


def test_a_place_outside_the_users_scope_is_refused(client, cast, visits):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    page = client.get(reverse("ledger:list"), {"place": cast.place("G3").code})
    assert page.status_code == 400
    assert "地点不存在或无权访问" in page.content.decode()


def test_bad_date_range_is_explained(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    page = client.get(reverse("ledger:list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert page.status_code == 400 and "开始日期不能晚于结束日期" in page.content.decode()


def test_keyset_pages_cover_every_row_once_with_constant_queries(client, cast, visits, django_assert_num_queries,
                                                                  settings, monkeypatch):
    from ledger import selectors as ledger_selectors

    monkeypatch.setattr(ledger_selectors, "PAGE_SIZE", 2)
    # The newest visit of G1 is at a household (shown on its row; no query more).
    household = ledger.household_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"), address="幸福路 1 号",
                                        unit="1单元", room="101", residents=2)
    Visit.objects.filter(pk=Visit.objects.filter(grid=cast.place("G1")).latest("visited_at").pk).update(
        household=household)
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    params = {"date_from": visits.isoformat()}
    client.get(reverse("ledger:list"), params)
    seen, after, with_household = [], "", 0
    while True:
        # session, user, grants, the places offered by name (which also check the chosen one and name the title),
        # categories, one page of rows, their communities (a district: no worker list — it would run to
        # thousands); the sites would add one more on a page that shows any, however many rows
        with django_assert_num_queries(7):
            page = client.get(reverse("ledger:list"), {**params, "after": after} if after else params)
        with_household += sum(v.household_id == household.pk for v in page.context["rows"])
        seen += [v.pk for v in page.context["rows"]]
        after = page.context["next"]
        if not after:
            break
    assert sorted(seen) == sorted(Visit.objects.values_list("pk", flat=True)) and len(seen) == len(set(seen)) == 5
    assert with_household == 1


def test_excel_export_has_the_ledger_columns_and_only_visible_rows(client, cast, visits, export_get):
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    response = export_get(client, reverse("ledger:xlsx"), {"date_from": visits.isoformat()})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert "走访台账" in rows[0][0]
    assert rows[1][:4] == ("序号", "走访时间", "街道", "社区")
    body = rows[2:]
    assert len(body) == 4 and {r[2] for r in body} == {"新兴街道"}
    assert any(r[9] == "安全隐患" and r[12] == "否" for r in body)


def test_pdf_export_embeds_chinese_text(client, cast, visits, tmp_path, export_get):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    response = export_get(client, reverse("ledger:pdf"), {"date_from": visits.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "ledger.pdf"
    pdf.write_bytes(b"".join(response.streaming_content))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts  # a CJK font, embedded (subset)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "电动车楼道充电" in text and "网格工作走访台账" in text


def test_the_worker_filter_offers_only_workers_in_scope_and_filters_by_one(client, cast, visits):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    page = client.get(reverse("ledger:list"), {"date_from": visits.isoformat()})
    offered = {person.username for person in page.context["form"].fields["worker"].queryset}
    assert offered == {"u_grid_worker", "worker_G1b"}  # not worker_G3 of the other street
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    street = client.get(reverse("ledger:list"), {"date_from": visits.isoformat()})
    assert not street.context["form"].fields["worker"].queryset.exists()
    assert "选择社区或网格后可按网格员筛选" in street.content.decode()
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    g1b = User.objects.get(username="worker_G1b")
    page = client.get(reverse("ledger:list"), {"date_from": visits.isoformat(), "worker": g1b.pk})
    assert [v.worker_id for v in page.context["rows"]] == [g1b.pk]
    refused = client.get(reverse("ledger:list"), {"worker": User.objects.get(username="worker_G3").pk})
    assert refused.status_code == 400


def test_the_place_filter_offers_places_by_name_and_the_chosen_communitys_grids(client, cast, visits):
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    page = client.get(reverse("ledger:list"), {"date_from": visits.isoformat()})
    offered = dict(page.context["form"].fields["place"].choices)
    # The street and its communities by name (the code is only the value); no grid until a community is chosen.
    assert {name.strip("\u3000") for name in offered.values()} == {"全部", "新兴街道", "董庄社区", "健康社区"}
    html = page.content.decode()
    assert f'<option value="{cast.place("C1").code}">' in html and "地点编号" not in html
    chosen = client.get(reverse("ledger:list"), {"date_from": visits.isoformat(), "place": cast.place("C1").code})
    offered = dict(chosen.context["form"].fields["place"].choices)
    assert offered[cast.place("G1b").code].strip("\u3000") == "第2网格" and cast.place("G2").code not in offered
    assert chosen.context["title"].startswith("董庄社区网格工作走访台账")
    assert len(chosen.context["rows"]) == 4


def test_each_column_of_a_row_is_shown_from_the_columns_the_page_reads(client, cast, visits,
                                                                      django_assert_num_queries):
    # The page reads only the columns it shows (ledger.selectors.ROW_COLUMNS): every column still reads, none by a
    # query of its own.
    worker, head = cast.user(Role.GRID_WORKER), cast.user(Role.GRID_HEAD)
    worker.real_name = "张网格"
    worker.save(update_fields=["real_name"])
    household = ledger.household_create(actor=head, grid=cast.place("G1"), address="幸福路 1 号", unit="1单元",
                                        room="101", residents=2)
    site = ledger.site_create(actor=head, grid=cast.place("G1"), kind="shop", name="便民超市")
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=_at(visits, 10))
    for place in ({"household": household}, {"site": site}):
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household",
                            visited_at=_at(visits, 10, 30), action="劝导整改", **place)
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    client.get(reverse("ledger:list"), {"date_from": visits.isoformat()})
    with django_assert_num_queries(9):  # as the keyset test's page, and the sites
        html = client.get(reverse("ledger:list"), {"date_from": visits.isoformat()}).content.decode()
    community, grid = cast.place("G1").parent.name, cast.place("G1").name
    for text in (community + grid, "张网格", "幸福路 1 号 1单元 101", "便民超市", "安全隐患", "电动车楼道充电", "劝导整改",
                 f"{visits:%m-%d} 10:30", "入户走访"):
        assert text in html, text
