"""The rectification pages, the API and the resident's confirmation page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inspections.models import Category, EvidenceKind, Rectification, TaskEvidence, TaskStatus, TaskStep
from inspections.services import tasks as services

from .tasks_world import assign, finding, jpeg, key, photo, progress, submitted

pytestmark = pytest.mark.django_db

LIST = "/xuncha/tasks/"


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def queries(client, url, **params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    return len(captured), response


def test_the_task_list_filters_and_costs_the_same_for_one_task_or_six(cast, client):
    login(client, cast.user("inspection_office"))
    found = finding(cast)
    first = assign(cast, found)
    one, response = queries(client, LIST)
    assert response.status_code == 200 and [t.pk for t in response.context["rows"]] == [first.pk]
    for n in range(5):
        assign(cast, found, deadline=timezone.localdate() - datetime.timedelta(days=1) if n == 0 else None,
               measure=f"措施{n}")
    six, response = queries(client, LIST)
    assert len(response.context["rows"]) == 6 and six == one
    _n, overdue = queries(client, LIST, due="overdue")
    assert [t.measure for t in overdue.context["rows"]] == ["措施0"]
    assert "data-overdue" in overdue.content.decode()
    _n, by_owner = queries(client, LIST, owner=f"place:{cast.place('C1').pk}", status="open")
    assert len(by_owner.context["rows"]) == 6
    _n, ticked = queries(client, LIST, status="ticked_off")
    assert ticked.context["rows"] == []


def test_the_task_list_pages_by_deadline(cast, client, monkeypatch):
    from inspections.views import tasks as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    login(client, cast.user("inspection_office"))
    found = finding(cast)
    made = [assign(cast, found, deadline=timezone.localdate() + datetime.timedelta(days=d), measure=f"措施{d}")
            for d in (3, 1, 2)]
    page = client.get(LIST)
    assert [t.measure for t in page.context["rows"]] == ["措施1", "措施2"] and page.context["next"]
    rest = client.get(LIST, {"after": page.context["next"]})
    assert [t.measure for t in rest.context["rows"]] == ["措施3"] and not rest.context["next"]
    assert len(made) == 3


def test_a_department_sees_only_the_tasks_it_owns(cast, client):
    found = finding(cast)
    ours = assign(cast, found, owner_place=None, owner_department=cast.departments["chengguan@D"],
                  responsible=cast.user("department_staff"))
    assign(cast, found)  # 董庄社区's
    login(client, cast.user("department_staff"))
    assert [t.pk for t in client.get(LIST).context["rows"]] == [ours.pk]


def test_the_responsibility_list_counts_open_overdue_and_ticked_off_per_unit_and_person(cast, client):
    found = finding(cast)
    assign(cast, found, deadline=timezone.localdate() - datetime.timedelta(days=2))
    assign(cast, found)
    ticked = submitted(cast)
    services.task_verify(actor=cast.user("inspector"), task=ticked, version=ticked.version)
    assign(cast, found, owner_place=None, owner_department=cast.departments["chengguan@D"],
           responsible=cast.user("department_staff"))
    login(client, cast.user("inspection_office"))
    response = client.get(reverse("inspection_tasks:responsibility"))
    rows = {row["owner"]: row for row in response.context["rows"]}
    assert (rows["董庄社区"]["open"], rows["董庄社区"]["overdue"], rows["董庄社区"]["ticked_off"]) == (2, 1, 1)
    assert (rows["城市管理"]["open"], rows["城市管理"]["overdue"]) == (1, 0)


def test_assigning_from_a_finding_on_the_page_saves_once_for_a_double_submit(cast, client):
    found = finding(cast)
    login(client, cast.user("inspector"))
    url = reverse("inspection_tasks:assign", args=[found.pk])
    page = client.get(url)
    assert page.status_code == 200 and "董庄社区" in page.content.decode()
    data = {"idempotency_key": key(), "measure": "更新公开栏", "owner": f"place:{cast.place('C1').pk}",
            "responsible": cast.user("community_official").pk, "deadline": "", "note": ""}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Rectification.objects.filter(finding=found).count() == 1


def test_a_deadline_before_the_finding_is_shown_next_to_the_field(cast, client):
    found = finding(cast)
    login(client, cast.user("inspector"))
    response = client.post(reverse("inspection_tasks:assign", args=[found.pk]), {
        "idempotency_key": key(), "measure": "更新公开栏", "owner": f"place:{cast.place('C1').pk}",
        "responsible": cast.user("community_official").pk,
        "deadline": (found.found_on - datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 400
    assert "不能早于问题发现日期" in str(response.context["form"].errors["deadline"])
    assert not Rectification.objects.exists()


def test_the_owner_is_refused_the_assign_page(cast, client):
    login(client, cast.user("community_official"))
    assert client.get(reverse("inspection_tasks:assign", args=[finding(cast).pk])).status_code == 403


def test_the_detail_offers_each_side_its_steps_and_the_owner_uploads_evidence(cast, client):
    task = assign(cast, finding(cast, category=Category.RESIDENTS))
    owner = login(client, cast.user("community_official"))
    page = owner.get(reverse("inspection_tasks:detail", args=[task.pk]))
    html = page.content.decode()
    assert 'data-step="progress"' in html and 'data-step="submit"' in html and 'data-step="verify"' not in html
    assert 'capture="environment"' in html and "data-missing" in html
    response = owner.post(reverse("inspection_tasks:step", args=[task.pk, "progress"]), {
        "version": task.version, "key": key(), "note": "已修好", "photos": [jpeg()], "lng": "113.1", "lat": "34.7",
        "resident_name": "王大妈", "resident_mobile": "13812345678"})
    assert response.status_code == 302, response.content.decode()[:500]
    evidence = TaskEvidence.objects.get(task=task, kind=EvidenceKind.PHOTO)
    assert (evidence.lng, evidence.lat) == (113.1, 34.7)
    # The photo is served to those who see the task, not to a neighbouring community.
    assert owner.get(evidence.thumbnail.url).status_code == 200
    login(client, cast.user("command_center"))  # reads no rectification
    assert client.get(evidence.thumbnail.url).status_code == 404


def test_a_photo_without_a_position_is_refused_on_the_page(cast, client):
    task = assign(cast)
    login(client, cast.user("community_official"))
    response = client.post(reverse("inspection_tasks:step", args=[task.pk, "progress"]), {
        "version": task.version, "key": key(), "note": "已修好", "photos": [jpeg()], "lng": "", "lat": ""})
    assert response.status_code == 400
    assert "拍摄位置" in response.content.decode()
    assert not TaskEvidence.objects.exists()


def test_the_team_ticks_off_on_the_page_and_the_owner_gets_no_button(cast, client):
    task = submitted(cast)
    login(client, cast.user("community_official"))
    assert 'data-step="verify"' not in client.get(reverse("inspection_tasks:detail", args=[task.pk])).content.decode()
    refused = client.post(reverse("inspection_tasks:step", args=[task.pk, "verify"]),
                          {"version": task.version, "key": key(), "note": ""})
    assert refused.status_code == 403
    login(client, cast.user("inspector"))
    assert 'data-step="verify"' in client.get(reverse("inspection_tasks:detail", args=[task.pk])).content.decode()
    done = client.post(reverse("inspection_tasks:step", args=[task.pk, "verify"]),
                       {"version": task.version, "key": key(), "note": "属实"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.TICKED_OFF


def test_a_stale_page_is_told_to_reload(cast, client):
    task = submitted(cast)
    login(client, cast.user("inspector"))
    client.post(reverse("inspection_tasks:step", args=[task.pk, "reject"]),
                {"version": task.version, "key": key(), "note": "照片不清"})
    stale = client.post(reverse("inspection_tasks:step", args=[task.pk, "verify"]),
                        {"version": task.version, "key": key(), "note": ""})
    assert stale.status_code == 409 and "刷新" in stale.content.decode()


# ---------------------------------------------------------------------------------------------- the resident


def _asked(cast):
    task = assign(cast, finding(cast, category=Category.RESIDENTS), measure="修复漏水的屋顶")
    progress(cast, task, documents=[], photos=[photo()], resident=services.ResidentRequest("王大妈", "13812345678"))
    return TaskEvidence.objects.get(task=task, kind=EvidenceKind.RESIDENT)


def test_the_resident_answers_once_without_an_account_and_sees_no_staff_names(cast, client):
    asked = _asked(cast)
    url = f"/zhenggai/{asked.token}/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "修复漏水的屋顶" in html
    assert cast.user("community_official").real_name not in html and cast.user("inspector").real_name not in html
    assert page["Referrer-Policy"] == "no-referrer"
    answered = client.post(url, {"resolved": "no", "comment": "还在漏"})
    assert answered.status_code == 200 and 'data-answer="no"' in answered.content.decode()
    retry = client.post(url, {"resolved": "yes", "comment": "好了"})
    assert 'data-answer="no"' in retry.content.decode() and "还在漏" in retry.content.decode()
    asked.refresh_from_db()
    assert asked.resident_resolved is False and asked.confirmation_note == "还在漏"


def test_an_unknown_link_is_not_found_and_answers_are_throttled(cast, client, settings):
    assert client.get("/zhenggai/not-a-real-token-at-all-000/").status_code == 404
    settings.INSPECTION_CONFIRM_PER_IP_PER_HOUR = 1
    first, second = _asked(cast), _asked(cast)
    assert client.post(f"/zhenggai/{first.token}/", {"resolved": "yes"}).status_code == 200
    throttled = client.post(f"/zhenggai/{second.token}/", {"resolved": "yes"})
    assert throttled.status_code == 429
    second.refresh_from_db()
    assert second.confirmed_at is None


# ---------------------------------------------------------------------------------------------- the API


def test_the_api_assigns_once_per_idempotency_key_and_steps_through_the_table(cast, client):
    found = finding(cast)
    login(client, cast.user("inspector"))
    body = {"finding": found.pk, "measure": "更新公开栏", "owner_place": cast.place("C1").pk,
            "responsible": cast.user("community_official").pk}
    same = key()
    first = client.post("/api/v1/rectifications/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=same)
    again = client.post("/api/v1/rectifications/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Rectification.objects.count() == 1
    task_id, version = first.json()["id"], first.json()["version"]
    steps = f"/api/v1/rectifications/{task_id}/steps/"
    wrong = client.post(steps, {"action": "progress", "version": version, "note": "x"},
                        content_type="application/json")
    assert wrong.status_code == 403  # the team does not report the owner's progress
    client.logout()
    login(client, cast.user("community_official"))
    moved = client.post(steps, {"action": "progress", "version": version, "note": "已更新"},
                        content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    assert moved.json()["available_steps"] == ["progress", "submit"]
    stale = client.post(steps, {"action": "submit", "version": version}, content_type="application/json")
    assert stale.status_code == 409
    missing = client.post(steps, {"action": "submit", "version": moved.json()["version"]},
                          content_type="application/json")
    assert missing.status_code == 400 and "文件材料" in missing.content.decode()
    assert TaskStep.objects.filter(task_id=task_id).count() == 2


def test_the_api_lists_through_the_gate(cast, client):
    task = assign(cast)
    login(client, cast.user("street_official"))
    assert [row["id"] for row in client.get("/api/v1/rectifications/").json()["results"]] == [task.pk]
    login(client, cast.user("command_center"))
    assert client.get("/api/v1/rectifications/").json()["results"] == []
    assert client.get(f"/api/v1/rectifications/{task.pk}/").status_code == 404
