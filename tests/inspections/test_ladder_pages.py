"""The documents page, a document's PDF and the acknowledge button: everything through the task's gate."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Role
from inspections.models import Ladder, Notice
from inspections.services import ladder
from tests.cast import appoint_multi_role
from tests.inspections.ladder_helpers import at, make_task

DUE = datetime.date(2027, 3, 15)


def issued(cast, n: int = 1, **kwargs) -> list[Notice]:
    return [ladder.issue_notice(make_task(cast, deadline=DUE, **kwargs), Ladder.NOTICE, now=at(DUE))
            for _ in range(n)]


def rows(response) -> list[int]:
    return [n.pk for n, _may in response.context["rows"]]


@pytest.mark.parametrize("role, sees", [
    (Role.COMMUNITY_OFFICIAL, True), (Role.STREET_OFFICIAL, True), (Role.INSPECTION_OFFICE, True),
    (Role.INSPECTOR, True), (Role.GRID_WORKER, False), (Role.DEPARTMENT_STAFF, False), (Role.COMMAND_CENTER, False),
])
def test_the_documents_page_shows_what_the_task_gate_shows(cast, client, role, sees):
    notice, = issued(cast)
    client.force_login(cast.user(role))

    response = client.get(reverse("inspection_ladder:notices"))
    pdf = client.get(reverse("inspection_ladder:pdf", args=[notice.pk]))

    assert response.status_code == 200
    assert rows(response) == ([notice.pk] if sees else [])
    assert pdf.status_code == (200 if sees else 404)
    if sees:
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_an_official_of_the_neighbouring_community_sees_nothing(cast, client):
    notice, = issued(cast)
    client.force_login(appoint_multi_role(cast)["worker_official"])  # official of 健康社区 C2
    assert rows(client.get(reverse("inspection_ladder:notices"))) == []
    assert client.get(reverse("inspection_ladder:pdf", args=[notice.pk])).status_code == 404
    assert client.post(reverse("inspection_ladder:acknowledge", args=[notice.pk])).status_code == 404


def test_filters_by_kind_and_unsigned_and_pages_by_keyset(cast, client, settings):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    notices = issued(cast, 3)
    reminder = ladder.issue_notice(notices[0].task, Ladder.REMINDER, now=at(DUE))
    ladder.acknowledge(official, notices[1])
    client.force_login(official)
    url = reverse("inspection_ladder:notices")

    assert rows(client.get(url, {"kind": "reminder"})) == [reminder.pk]
    assert rows(client.get(url, {"unacknowledged": "on"})) == [reminder.pk, notices[2].pk, notices[0].pk]
    assert rows(client.get(url, {"kind": "notice", "unacknowledged": "on"})) == [notices[2].pk, notices[0].pk]

    from inspections.selectors import ladder as selectors
    selectors_size, selectors.PAGE_SIZE = selectors.PAGE_SIZE, 2
    try:
        first = client.get(url)
        assert rows(first) == [reminder.pk, notices[2].pk]
        second = client.get(url, {"after": first.context["next"]})
        assert rows(second) == [notices[1].pk, notices[0].pk] and second.context["next"] == ""
    finally:
        selectors.PAGE_SIZE = selectors_size


def test_the_page_s_queries_do_not_grow_with_its_rows(cast, client):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    url = reverse("inspection_ladder:notices")
    issued(cast, 2)
    client.get(url)  # warm caches (the session, the menu's)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    issued(cast, 8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(rows(response)) == 10
    assert len(many.captured_queries) == len(few.captured_queries) <= 12, [q["sql"] for q in many.captured_queries]


def test_the_unit_head_signs_with_the_button_and_the_team_sees_no_button(cast, client):
    notice, = issued(cast)
    url = reverse("inspection_ladder:notices")

    client.force_login(cast.user(Role.INSPECTOR))
    assert [may for _n, may in client.get(url).context["rows"]] == [False]
    assert b"data-acknowledge" not in client.get(url).content

    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    assert b"data-acknowledge" in client.get(url).content
    response = client.post(reverse("inspection_ladder:acknowledge", args=[notice.pk]), {"next": url + "?kind=notice"})
    assert response.status_code == 302 and response["Location"] == url + "?kind=notice"
    notice.refresh_from_db()
    assert notice.acknowledged_by == cast.user(Role.COMMUNITY_OFFICIAL)
    page = client.get(url)
    assert "已签收" in page.content.decode() and b"data-acknowledge" not in page.content

    again = client.post(reverse("inspection_ladder:acknowledge", args=[notice.pk]), follow=True)
    assert "该文书已签收，不能重复签收。" in again.content.decode()


def test_the_task_page_s_partial_lists_its_documents(cast):
    notice, = issued(cast)
    warning = ladder.issue_notice(notice.task, Ladder.WARNING, now=at(DUE + datetime.timedelta(days=1)))
    request = RequestFactory().get("/xuncha/tasks/1/")
    request.user = cast.user(Role.COMMUNITY_OFFICIAL)
    notice.task.refresh_from_db()

    html = Template('{% include "inspections/ladder/_task_notices.html" %}').render(
        Context({"task": notice.task, "request": request}))

    assert notice.number in html and warning.number in html and html.count("data-acknowledge") == 2
    assert "最后期限 2027-03-30" in html
    assert reverse("inspection_ladder:pdf", args=[warning.pk]) in html
    # the deadline moved later (an extension): the old final deadline is not shown as the task's
    notice.task.deadline = DUE + datetime.timedelta(days=40)
    html = Template('{% include "inspections/ladder/_task_notices.html" %}').render(
        Context({"task": notice.task, "request": request}))
    assert "data-final-deadline" not in html and warning.number in html
