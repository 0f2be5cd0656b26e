"""The reports' pages: the rounds list, a round's report (figures, draw and record actions for those allowed,
constant queries), the public progress page without login (public findings only, no personal data)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Role
from inspections import reports_pdf
from inspections.models import Recheck, RecheckDraw, RecheckResult, Rectification, TaskStatus
from inspections.services.rounds import round_progress_publish

from .reports_world import hand_worked, the_round, world

pytestmark = pytest.mark.django_db


def _client(client, cast, role):
    client.force_login(cast.user(role))
    return client


def test_report_page_for_the_office_with_draw_and_record(client, cast):
    round_, _, _ = hand_worked(cast)
    c = _client(client, cast, Role.INSPECTION_OFFICE)
    page = c.get(reverse("inspection_reports:report", args=[round_.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-completion>50.0%' in html and 'data-on-time>66.7%' in html and 'data-overdue-count>2' in html
    assert "data-draw-form" in html
    # a double click: the same draw number twice makes one draw
    for _ in range(2):
        c.post(reverse("inspection_reports:draw", args=[round_.pk]), {"number": 1, "seed": "page"})
    assert RecheckDraw.objects.filter(round=round_).count() == 1 and Recheck.objects.filter(round=round_).count() == 1
    recheck = Recheck.objects.get(round=round_)
    html = c.get(reverse("inspection_reports:report", args=[round_.pk])).content.decode()
    assert "随机种子 page" in html and f'data-recheck="{recheck.pk}"' in html and "data-record-form" in html
    c.post(reverse("inspection_reports:record", args=[round_.pk, recheck.pk]),
           {"result": RecheckResult.FAILED, "note": "现场仍有问题"})
    assert Recheck.objects.get(pk=recheck.pk).result == RecheckResult.FAILED
    assert Rectification.objects.get(pk=recheck.task_id).status == TaskStatus.REOPENED


def test_owner_unit_sees_no_record_action_and_is_refused(client, cast):
    round_, _ = world(cast, ticked=2, percent=50)
    from inspections.services import rechecks
    rechecks.recheck_draw(cast.user(Role.INSPECTION_OFFICE), round_, seed="o")
    recheck = Recheck.objects.get(round=round_)
    c = _client(client, cast, Role.COMMUNITY_OFFICIAL)  # the owner unit (董庄社区's office) answers for the tasks
    html = c.get(reverse("inspection_reports:report", args=[round_.pk])).content.decode()
    assert "data-record-form" not in html and "data-draw-form" not in html
    page = c.post(reverse("inspection_reports:record", args=[round_.pk, recheck.pk]),
                  {"result": RecheckResult.PASSED}, follow=True)
    assert "责任单位的人员不能核查本单位的整改任务" in page.content.decode()
    assert Recheck.objects.get(pk=recheck.pk).result == RecheckResult.PENDING
    # and may not draw
    assert c.post(reverse("inspection_reports:draw", args=[round_.pk]), {"number": 2}).status_code == 403


def test_report_hidden_from_those_who_do_not_read_rounds(client, cast):
    round_, _, _ = hand_worked(cast)
    c = _client(client, cast, Role.GRID_WORKER)
    assert c.get(reverse("inspection_reports:report", args=[round_.pk])).status_code == 404
    assert c.get(reverse("inspection_reports:rounds")).status_code == 403


def test_rounds_page_and_report_queries_constant(client, cast):
    round_, _, _ = hand_worked(cast)
    c = _client(client, cast, Role.INSPECTION_OFFICE)
    html = c.get(reverse("inspection_reports:rounds")).content.decode()
    assert "矩阵巡察轮次" in html and "data-completion>50.0%" in html
    url = reverse("inspection_reports:report", args=[round_.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        c.get(url)
    world(cast, ticked=5, open_=3)
    with CaptureQueriesContext(connection) as large:
        page = c.get(url)
    assert "data-completion>57.1%" in page.content.decode()  # 8 of 14
    assert len(large) == len(small)


def test_public_page_without_login(client, cast):
    round_, _, _ = hand_worked(cast)
    assert client.get(f"/xunchagongkai/{round_.pk}/").status_code == 404  # not published yet
    round_progress_publish(actor=cast.user(Role.INSPECTION_OFFICE), round=round_)
    page = client.get(f"/xunchagongkai/{round_.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "某小区物业违规收取停车费" in html and "侵害群众利益" in html and "整改任务 1/2 已销号" in html
    for secret in ("李四", "13900001111", "内部问题", "内部标题", "社区干部", "巡察组成员甲", "城市管理"):
        assert secret not in html, secret
    assert 'name="viewport"' in html  # the base's phone layout
    assert client.get("/xunchagongkai/999999/").status_code == 404


@pytest.mark.skipif(not os.environ.get("REPORT_PNG"), reason="writes a page image to look at")
def test_pdf_page_image(cast):
    round_, _, _ = hand_worked(cast)
    pdf, _ = reports_pdf.report_pdf(cast.user(Role.INSPECTION_OFFICE), the_round())
    with open(os.environ["REPORT_PNG"], "wb") as out:
        out.write(pdf)


def test_exports_are_jobs_gated_by_the_round(client, cast):
    from wudu.models import ExportJob

    round_, _, _ = hand_worked(cast)
    c = _client(client, cast, Role.INSPECTION_OFFICE)
    for fmt in ("pdf", "xlsx"):
        page = c.post(reverse("inspection_reports:export", args=[round_.pk, fmt]))
        assert page.status_code == 302
    jobs = sorted(ExportJob.objects.filter(owner=cast.user(Role.INSPECTION_OFFICE)).values_list("kind", "params"))
    assert jobs == [("inspections.round_report.pdf", {"round": round_.pk}),
                    ("inspections.round_report.xlsx", {"round": round_.pk})]
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.post(reverse("inspection_reports:export", args=[round_.pk, "pdf"])).status_code == 404
