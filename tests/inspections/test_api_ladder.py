"""/api/v1/rectification-notices/: the ladder's documents through their task's gate, filters, keyset pages with
constant queries, the PDF's address, the unit head's signature (retried: the same document; others: refused with
the service's reason), the documents in a task's detail, and the read-only admin."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from grids import services as grid_services
from grids.models import Role
from inspections.models import Ladder, Notice, TaskStep
from inspections.services import ladder
from tests.cast import appoint_multi_role
from tests.inspections.ladder_helpers import at, make_task
from tests.scope.matrix import BACKEND

DUE = datetime.date(2027, 3, 15)
LIST = "api:rectification-notice-list"


def _as(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def _notice(cast, kind=Ladder.NOTICE, **kwargs) -> Notice:
    task = kwargs.pop("task", None) or make_task(cast, deadline=DUE, **kwargs)
    return ladder.issue_notice(task, kind, now=at(DUE))


def _ack(client, notice):
    return client.post(reverse("api:rectification-notice-acknowledge", args=[notice.pk]),
                       content_type="application/json")


def test_the_owner_reads_the_documents_of_its_tasks_with_their_pdf(client, cast):
    notice = _notice(cast)
    body = _as(client, cast.user(Role.COMMUNITY_OFFICIAL)).get(reverse(LIST)).json()
    (row,) = body["results"]
    assert (row["id"], row["number"], row["kind"], row["kind_label"]) == (notice.pk, notice.number, "notice", "督办通知书")
    assert row["task"] == notice.task_id and row["acknowledged_at"] is None and row["may_acknowledge"] is True
    assert row["pdf"].endswith(reverse("inspection_ladder:pdf", args=[notice.pk]))
    pdf = client.get(reverse("inspection_ladder:pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_a_document_is_seen_exactly_as_its_task(client, cast):
    notice = _notice(cast)
    detail = reverse("api:rectification-notice-detail", args=[notice.pk])
    for role in (Role.INSPECTION_OFFICE, Role.INSPECTOR, Role.STREET_OFFICIAL, Role.DISTRICT_OFFICIAL):
        assert _as(client, cast.user(role)).get(detail).status_code == 200, role
    for role in (Role.GRID_WORKER, Role.COMMAND_CENTER, Role.DEPARTMENT_STAFF, Role.AUDIT_ADMIN):
        _as(client, cast.user(role))
        assert client.get(detail).status_code == 404, role
        assert client.get(reverse(LIST)).json()["results"] == []
    other = appoint_multi_role(cast)["worker_official"]  # an official of 健康社区 C2
    assert _as(client, other).get(detail).status_code == 404
    assert _ack(client, notice).status_code == 404


def test_filters_by_task_kind_and_acknowledged(client, cast):
    first = _notice(cast)
    reminder = _notice(cast, Ladder.REMINDER, task=first.task)
    other = _notice(cast, measure="另一项整改")
    ladder.acknowledge(cast.user(Role.COMMUNITY_OFFICIAL), first)
    _as(client, cast.user(Role.INSPECTION_OFFICE))

    def ids(**query):
        response = client.get(reverse(LIST), query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {first.pk, reminder.pk, other.pk}
    assert ids(task=first.task_id) == {first.pk, reminder.pk}
    assert ids(kind="reminder") == {reminder.pk}
    assert ids(acknowledged="true") == {first.pk}
    assert ids(acknowledged="false") == {reminder.pk, other.pk}
    assert client.get(reverse(LIST), {"kind": "letter"}).status_code == 400
    assert client.get(reverse(LIST), {"task": "abc"}).status_code == 400


def test_the_unit_head_signs_once_and_a_retry_answers_the_same_document(client, cast):
    notice = _notice(cast)
    _as(client, cast.user(Role.COMMUNITY_OFFICIAL))
    first = _ack(client, notice)
    assert first.status_code == 200, first.content
    signed = first.json()
    assert signed["acknowledged_at"] and signed["acknowledged_by_name"] and signed["may_acknowledge"] is False
    again = _ack(client, notice)
    assert again.status_code == 200 and again.json() == signed
    assert TaskStep.objects.filter(task=notice.task, action="acknowledge").count() == 1


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.INSPECTION_OFFICE, Role.STREET_OFFICIAL])
def test_who_sees_but_does_not_head_the_unit_is_refused_with_the_reason(client, cast, role):
    notice = _notice(cast)
    response = _as(client, cast.user(role)).post(reverse("api:rectification-notice-acknowledge", args=[notice.pk]))
    assert response.status_code == 403
    assert response.json()["detail"] == "只有责任单位负责人可以签收督办文书。"
    assert Notice.objects.get(pk=notice.pk).acknowledged_at is None
    assert not TaskStep.objects.filter(task=notice.task, action="acknowledge").exists()


def test_a_document_signed_by_another_head_is_not_signed_again(client, cast):
    notice = _notice(cast)
    ladder.acknowledge(cast.user(Role.COMMUNITY_OFFICIAL), notice)
    colleague = grid_services.person_appoint(actor=cast.admin, place=cast.place("C1"), role=Role.COMMUNITY_OFFICIAL,
                                             username="c1_colleague", real_name="同事", mobile="13611112222").user
    response = _ack(_as(client, colleague), notice)
    assert response.status_code == 400 and response.json()["detail"] == ["该文书已签收，不能重复签收。"]
    assert Notice.objects.get(pk=notice.pk).acknowledged_by == cast.user(Role.COMMUNITY_OFFICIAL)


def test_the_task_detail_lists_its_documents(client, cast):
    notice = _notice(cast)
    reminder = _notice(cast, Ladder.REMINDER, task=notice.task)
    body = _as(client, cast.user(Role.COMMUNITY_OFFICIAL)).get(
        reverse("api:rectification-detail", args=[notice.task_id])).json()
    assert [n["number"] for n in body["notices"]] == [notice.number, reminder.number]
    assert body["notices"][0]["pdf"].endswith(reverse("inspection_ladder:pdf", args=[notice.pk]))


def test_writes_other_than_acknowledge_are_not_offered(client, cast):
    notice = _notice(cast)
    _as(client, cast.user(Role.COMMUNITY_OFFICIAL))
    detail = reverse("api:rectification-notice-detail", args=[notice.pk])
    assert client.patch(detail, {"number": "x"}, content_type="application/json").status_code == 405
    assert client.delete(detail).status_code == 405
    assert client.post(reverse(LIST), {}, content_type="application/json").status_code == 405


@pytest.mark.parametrize("n", [1, 4])
def test_the_list_takes_constant_queries(client, cast, django_assert_max_num_queries, n):
    for i in range(n):
        _notice(cast, measure=f"计数整改{i}")
    _as(client, cast.user(Role.COMMUNITY_OFFICIAL))
    client.get(reverse(LIST))
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(reverse(LIST)).json()["results"]) == n


LIST_QUERIES = 6  # session, user, grants, the unit-head check, the page of documents (with task and signer)


def test_the_admin_lists_documents_read_only_by_number_kind_and_acknowledged(client, cast):
    notice = _notice(cast)
    other = _notice(cast, Ladder.REMINDER, task=notice.task)
    ladder.acknowledge(cast.user(Role.COMMUNITY_OFFICIAL), notice)
    _as(client, cast.user(Role.COMMUNITY_OFFICIAL))
    url = reverse("admin:inspections_notice_changelist")

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    assert listed() == {notice.pk, other.pk}
    assert listed(q=notice.number) == {notice.pk}
    assert listed(kind__exact="reminder") == {other.pk}
    assert listed(acknowledged="yes") == {notice.pk}
    change = client.get(reverse("admin:inspections_notice_change", args=[notice.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    assert client.post(reverse("admin:inspections_notice_change", args=[notice.pk]), {}).status_code == 403
    _as(client, cast.user(Role.COMMAND_CENTER))  # staff, but does not read inspection tasks
    assert client.get(url).context["cl"].result_list == [] or not listed()
    counters = _as(client, cast.user(Role.DISTRICT_OFFICIAL)).get(reverse("admin:inspections_noticecounter_changelist"))
    assert [c.last for c in counters.context["cl"].result_list] == [2]
