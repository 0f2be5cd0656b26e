"""The findings pages (/xuncha/findings/): the inspector records a finding with a photo at a place of their coverage,
sees it listed and opens it; the evidence is served to those who see the finding only; edits are versioned; the
list keeps a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, FindingEvidence, FindingStatus, Team
from tests.inspections.findings_helpers import photo, record, tick_off
from tests.scope.matrix import BACKEND


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _sign_in(client, cast, role):
    client.force_login(cast.user(role), backend=BACKEND)
    return client


def _record_form(client, cast, **extra):
    team = Team.objects.get(name="第一巡察组")
    data = {"where": f"{team.pk}:{cast.place('C1').code}", "category": "residents", "severity": "major",
            "title": "楼道堆物未清理", "facts": "3 栋楼道长期堆放杂物。", "found_on": timezone.localdate().isoformat(),
            "disclosure": "internal", "public_summary": "", "idempotency_key": "6c5b1f0e-3f1c-4d1a-9a51-0d6a1a2b3c4d",
            **extra}
    return client.post(reverse("inspection_findings:create"), data)


def test_the_inspector_records_with_a_photo_and_sees_it(client, cast):
    _sign_in(client, cast, "inspector")
    form = client.get(reverse("inspection_findings:create"))
    choices = [label for _value, label in form.context["form"].fields["where"].choices]
    assert choices == ["第一巡察组 · 董庄社区"]  # their coverage only
    response = _record_form(client, cast, files=[photo()])
    finding = Finding.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inspection_findings:detail",
                                                                            args=[finding.pk])
    assert _record_form(client, cast, files=[photo()]).status_code == 302  # a double submit saves once
    assert Finding.objects.count() == 1 and FindingEvidence.objects.count() == 1
    detail = client.get(response["Location"])
    evidence = FindingEvidence.objects.get()
    assert "楼道堆物未清理" in detail.content.decode() and evidence.file.url in detail.content.decode()
    assert client.get(evidence.file.url).status_code == 200
    listed = client.get(reverse("inspection_findings:list"))
    assert [row.pk for row in listed.context["rows"]] == [finding.pk]
    # a grid worker of the place does not see the finding, nor its photo
    _sign_in(client, cast, "grid_worker")
    assert client.get(evidence.file.url).status_code == 404
    assert client.get(response["Location"]).status_code == 404


def test_a_bad_record_shows_the_message_and_saves_nothing(client, cast):
    _sign_in(client, cast, "inspector")
    response = _record_form(client, cast, disclosure="public", public_summary="联系人电话 13912345678")
    assert response.status_code == 400 and "个人信息" in response.content.decode()
    assert not Finding.objects.exists()


def test_someone_without_coverage_cannot_open_the_record_form(client, cast):
    _sign_in(client, cast, "community_official")
    assert client.get(reverse("inspection_findings:create")).status_code == 403


def test_a_stale_edit_is_refused_with_a_message(client, cast):
    finding = record(cast)
    _sign_in(client, cast, "inspector")
    data = {"category": "work_style", "severity": "minor", "title": "新标题", "facts": "事实",
            "found_on": finding.found_on.isoformat(), "disclosure": "internal", "version": finding.version}
    assert client.post(reverse("inspection_findings:edit", args=[finding.pk]), data).status_code == 302
    stale = client.post(reverse("inspection_findings:edit", args=[finding.pk]), {**data, "title": "再改"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    assert Finding.objects.get(pk=finding.pk).title == "新标题"


def test_the_leader_dismisses_with_a_reason(client, cast):
    finding = record(cast)
    _sign_in(client, cast, "inspector")
    response = client.post(reverse("inspection_findings:dismiss", args=[finding.pk]),
                           {"reason": "经核实不属实", "version": finding.version})
    assert response.status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.DISMISSED


def test_the_detail_shows_tasks_with_status_and_deadline(client, cast):
    finding = record(cast)
    task = tick_off(cast, finding)
    _sign_in(client, cast, "community_official")
    page = client.get(reverse("inspection_findings:detail", args=[finding.pk])).content.decode()
    assert task.measure in page and task.deadline.isoformat() in page and "已销号" in page


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_keeps_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    record(cast)
    _sign_in(client, cast, "street_official")
    url = reverse("inspection_findings:list") + "?category=work_style"
    few = _count(client, url)
    for n in range(8):
        record(cast, title=f"问题{n}", severity=("minor", "major")[n % 2])
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(response.context["rows"]) == 9
    # session, user, grants, round and place choices, one page of findings
    assert few <= 6, few


def test_the_list_pages_by_keyset(client, cast):
    for n in range(3):
        record(cast, title=f"问题{n}")
    _sign_in(client, cast, "inspection_office")
    from inspections.selectors import findings as selectors

    rows, cursor = selectors.findings_page(cast.user("inspection_office"), selectors.FindingFilter(), size=2)
    assert len(rows) == 2 and cursor
    rest = client.get(reverse("inspection_findings:list"), {"after": cursor}).context["rows"]
    assert len(rest) == 1 and rest[0].pk not in {row.pk for row in rows}
