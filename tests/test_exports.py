"""Export jobs (wudu.exports, issue 15 point 2): long work runs as a task with a progress bar; the file is its owner's
only, kept for the retention period; the same request while one runs returns that one."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Notification
from grids.models import Role
from wudu import exports
from wudu.models import ExportJob, OutboxMessage
from wudu.signals import access_event

CALLS = []


def render_csv(user, params, progress):
    CALLS.append(params)
    progress(1, 2)
    if params.get("fail"):
        raise RuntimeError("boom")
    return f"who,n\n{user.username},{params.get('n', 0)}\n".encode(), "名单.csv", 1


exports.register("test.csv", render=render_csv, fmt="csv")


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    CALLS.clear()


@pytest.fixture
def events():
    seen = []

    def receive(sender, **kwargs):
        seen.append(kwargs)

    access_event.connect(receive)
    yield seen
    access_event.disconnect(receive)


def ask(django_capture_on_commit_callbacks, user, **params) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_request(actor=user, kind="test.csv", params=params, label="测试导出")
    job.refresh_from_db()
    return job


def test_a_job_is_rendered_by_its_task_and_only_its_owner_downloads_it(
        client, cast, django_capture_on_commit_callbacks, events):
    owner, other = cast.user(Role.COMMUNITY_OFFICIAL), cast.user(Role.STREET_OFFICIAL)
    job = ask(django_capture_on_commit_callbacks, owner, n=3, date_from="2026-11-01", q="13900000001")
    assert job.status == ExportJob.Status.DONE and job.rows == 1 and job.percent == 100
    assert job.expires_at > timezone.now() + datetime.timedelta(hours=71)
    assert OutboxMessage.objects.filter(task="wudu.tasks.export_job_run_task").count() == 1

    client.force_login(owner)
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert b"".join(response.streaming_content).decode().endswith(f"{owner.username},3\n")
    assert "attachment" in response["Content-Disposition"]
    [event] = [e for e in events if e["kind"] == "export"]  # recorded at the download, with the job's filter
    assert event["user"] == owner and event["detail"]["rows"] == 1 and event["detail"]["format"] == "csv"
    assert event["detail"]["filter"] == {"n": "…", "date_from": "2026-11-01", "q": "…"}

    client.force_login(other)
    for name in ("detail", "status", "download"):
        assert client.get(reverse(f"exports:{name}", args=[job.pk])).status_code == 404
    assert "测试导出" not in client.get(reverse("exports:list")).content.decode()


def test_the_same_request_while_one_waits_returns_that_job(cast):
    owner = cast.user(Role.COMMUNITY_OFFICIAL)
    first = exports.export_request(actor=owner, kind="test.csv", params={"n": 1}, label="测试导出")
    again = exports.export_request(actor=owner, kind="test.csv", params={"n": 1}, label="测试导出")
    assert again.pk == first.pk and ExportJob.objects.count() == 1
    assert OutboxMessage.objects.filter(task="wudu.tasks.export_job_run_task").count() == 1
    other = exports.export_request(actor=owner, kind="test.csv", params={"n": 2}, label="测试导出")
    assert other.pk != first.pk


def test_a_person_has_at_most_the_limit_of_exports_waiting(cast, settings):
    settings.EXPORT_MAX_ACTIVE_PER_USER = 2
    owner = cast.user(Role.COMMUNITY_OFFICIAL)
    for n in range(2):
        exports.export_request(actor=owner, kind="test.csv", params={"n": n}, label="测试导出")
    with pytest.raises(ValidationError, match="正在生成"):
        exports.export_request(actor=owner, kind="test.csv", params={"n": 9}, label="测试导出")
    # A job lost long ago (a worker killed whole) no longer counts.
    ExportJob.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert exports.export_request(actor=owner, kind="test.csv", params={"n": 9}, label="测试导出").active


def test_running_a_job_twice_renders_it_once(cast, django_capture_on_commit_callbacks):
    job = ask(django_capture_on_commit_callbacks, cast.user(Role.COMMUNITY_OFFICIAL), n=1)
    assert exports.export_run(job.pk) is None
    assert len(CALLS) == 1


def test_a_failed_render_is_shown_as_failed(client, cast, django_capture_on_commit_callbacks):
    owner = cast.user(Role.COMMUNITY_OFFICIAL)
    job = ask(django_capture_on_commit_callbacks, owner, fail=True)
    assert job.status == ExportJob.Status.FAILED and "boom" in job.error
    client.force_login(owner)
    page = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert "导出失败" in page
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_the_progress_endpoint_and_page_show_how_far_a_job_is(client, cast):
    owner = cast.user(Role.COMMUNITY_OFFICIAL)
    job = exports.export_request(actor=owner, kind="test.csv", params={"n": 1}, label="测试导出")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, done=150, total=600)
    client.force_login(owner)
    status = client.get(reverse("exports:status", args=[job.pk])).json()
    assert status == {"status": "running", "status_label": "生成中", "percent": 25, "done": 150, "total": 600,
                      "rows": None, "download": ""}
    page = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert 'value="25"' in page and 'http-equiv="refresh"' in page and "js/export.js" in page
    assert "<script>" not in page  # no inline script


def test_progress_is_written_at_most_once_a_second(cast, monkeypatch):
    job = exports.export_request(actor=cast.user(Role.COMMUNITY_OFFICIAL), kind="test.csv", params={}, label="x")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    clock = [100.0]
    monkeypatch.setattr(exports.time, "monotonic", lambda: clock[0])
    progress = exports._progress(job.pk)
    progress(1, 10)
    progress(5, 10)  # the same second: not written
    job.refresh_from_db()
    assert (job.done, job.total) == (1, 10)
    clock[0] += 1.5
    progress(6, 10)
    job.refresh_from_db()
    assert job.done == 6


def test_expired_exports_are_purged_with_their_files(cast, django_capture_on_commit_callbacks):
    owner = cast.user(Role.COMMUNITY_OFFICIAL)
    old = ask(django_capture_on_commit_callbacks, owner, n=1)
    fresh = ask(django_capture_on_commit_callbacks, owner, n=2)
    assert exports.storage().exists(old.file)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert exports.export_purge() == 1
    assert not exports.storage().exists(old.file) and exports.storage().exists(fresh.file)
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_owner_is_notified_when_an_export_is_ready(cast, django_capture_on_commit_callbacks):
    owner = cast.user(Role.COMMUNITY_OFFICIAL)
    job = ask(django_capture_on_commit_callbacks, owner, n=1)
    [notice] = Notification.objects.filter(user=owner, kind="export_ready")
    assert "测试导出" in notice.message and notice.dedupe_key == f"export:{job.pk}"


def test_my_exports_lists_the_newest_first_in_constant_queries(client, cast, django_assert_max_num_queries,
                                                               django_capture_on_commit_callbacks):
    owner = cast.user(Role.COMMUNITY_OFFICIAL)
    client.force_login(owner)
    ask(django_capture_on_commit_callbacks, owner, n=1)
    with django_assert_max_num_queries(6):
        client.get(reverse("exports:list"))
    for n in range(2, 12):
        ask(django_capture_on_commit_callbacks, owner, n=n)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("exports:list"))
    jobs = page.context["jobs"]
    assert len(jobs) == 11 and jobs[0].pk > jobs[-1].pk
    with django_assert_max_num_queries(6):
        assert client.get(reverse("exports:detail", args=[jobs[0].pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("exports:status", args=[jobs[0].pk])).status_code == 200


def test_the_exports_task_is_registered_with_its_limits():
    from wudu.tasks import export_job_run_task

    assert export_job_run_task.time_limit == 420 and export_job_run_task.soft_time_limit < 420
