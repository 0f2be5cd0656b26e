"""The 督办通知书 of an assignment and of each reassignment: issued by the system once the step commits (the history
does not read as if the assigner escalated by hand; the assignment's step names who assigned), once per assigning
step — a new owner gets their own even with the same deadline — and never twice for one step (a redelivered
message, a retried form). The schedule's documents stay once per (task, kind, deadline).

Also on PostgreSQL with real connections: the beat's escalate racing two people's steps on one version."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Notification
from grids.models import Role
from inspections.models import Ladder, Notice, Rectification, TaskStatus, TaskStep
from inspections.services import ladder
from inspections.services import tasks as services
from inspections.tasks import ladder_notice_task
from tests.cast import build_cast
from tests.test_concurrency import _race
from wudu.errors import Conflict
from wudu.models import OutboxMessage

from .ladder_helpers import at
from .tasks_world import assign, key, submitted

pytestmark = pytest.mark.django_db
postgres_only = [pytest.mark.postgres,
                 pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections")]


def notices(task) -> list[Notice]:
    return list(Notice.objects.filter(task=task, kind=Ladder.NOTICE).order_by("id"))


def reassign(cast, task, capture, **changes) -> Rectification:
    with capture(execute=True):
        return services.task_reassign(actor=cast.user(Role.INSPECTION_OFFICE), task=task, version=task.version,
                                      note="调整责任", idempotency_key=key(), **changes)


def test_the_assignment_s_notice_is_the_system_s_and_the_step_names_who_assigned(cast,
                                                                                   django_capture_on_commit_callbacks):
    inspector = cast.user(Role.INSPECTOR)
    with django_capture_on_commit_callbacks(execute=True):
        task = assign(cast, actor=inspector)

    [notice] = notices(task)
    assigned = TaskStep.objects.get(task=task, action="assign")
    escalated = TaskStep.objects.get(task=task, action="escalate")
    assert (notice.issued_by, notice.step, notice.step.actor) == (None, assigned, inspector)
    assert (escalated.actor, escalated.actor_role, escalated.data["assigned_by"]) == (None, "system", inspector.pk)


def test_the_task_page_says_the_system_issued_the_assignment_s_notice(cast, client,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = assign(cast, actor=cast.user(Role.INSPECTOR))
    [notice] = notices(task)
    client.force_login(cast.user(Role.INSPECTION_OFFICE))
    page = client.get(reverse("inspection_tasks:detail", args=[task.pk])).content.decode()
    history = page[page.index("data-steps"):]
    assert "系统（按期自动签发）" in history and notice.number in history


def test_a_reassignment_to_a_new_owner_with_the_same_deadline_issues_the_new_owner_a_notice(
        cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = assign(cast)
    staff = cast.user(Role.DEPARTMENT_STAFF)

    task = reassign(cast, task, django_capture_on_commit_callbacks, owner_place=None,
                    owner_department=cast.departments["chengguan@D"], responsible=staff)

    first, second = notices(task)
    reassigned = TaskStep.objects.get(task=task, action="reassign")
    assert first.deadline == second.deadline == task.deadline and first.number != second.number
    assert second.step == reassigned and second.issued_by is None
    told = Notification.objects.filter(kind="ladder_notice", dedupe_key=f"ladder-notice:{second.pk}")
    assert set(told.values_list("user_id", flat=True)) == {staff.pk}  # the new owner, not the old one
    assert TaskStep.objects.filter(task=task, action="escalate").count() == 2


def test_a_redelivered_or_retried_reassignment_issues_nothing_twice(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = assign(cast)
    same = key()
    changes = dict(owner_place=None, owner_department=cast.departments["chengguan@D"],
                   responsible=cast.user(Role.DEPARTMENT_STAFF), note="改由城管负责", idempotency_key=same)
    page = Rectification.objects.get(pk=task.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_reassign(actor=cast.user(Role.INSPECTION_OFFICE), task=task, version=task.version, **changes)
    numbers = [n.number for n in notices(task)]
    assert len(numbers) == 2

    # the form sent again (same key), and the outbox's message delivered again
    with django_capture_on_commit_callbacks(execute=True):
        services.task_reassign(actor=cast.user(Role.INSPECTION_OFFICE), task=page, version=page.version, **changes)
    message = OutboxMessage.objects.get(key=f"ladder-notice:{TaskStep.objects.get(action='reassign').pk}")
    assert ladder_notice_task(*message.args, **message.kwargs) == numbers[1]
    # the first assignment's message, delivered late: that owner is no longer the task's
    first = OutboxMessage.objects.get(key=f"ladder-notice:{TaskStep.objects.get(action='assign').pk}")
    assert ladder_notice_task(*first.args, **first.kwargs) == numbers[0]  # its own notice, already issued
    assert [n.number for n in notices(task)] == numbers
    assert Notification.objects.filter(kind="ladder_notice").count() == 2


def test_a_reassignment_s_message_arriving_after_a_later_reassignment_issues_nothing(cast):
    task = assign(cast)  # the messages are not run on commit here: they are delivered below, late
    office = cast.user(Role.INSPECTION_OFFICE)
    task = services.task_reassign(actor=office, task=task, version=task.version, note="改由城管负责",
                                  owner_place=None, owner_department=cast.departments["chengguan@D"],
                                  responsible=cast.user(Role.DEPARTMENT_STAFF))
    task = services.task_reassign(actor=office, task=task, version=task.version, note="仍由社区负责",
                                  owner_place=cast.place("C1"), responsible=cast.user(Role.COMMUNITY_OFFICIAL))
    steps = list(TaskStep.objects.filter(task=task, action__in=["assign", "reassign"]).order_by("id"))

    issued = [ladder_notice_task(*m.args, **m.kwargs) for m in OutboxMessage.objects.filter(
        key__in=[f"ladder-notice:{s.pk}" for s in steps]).order_by("id")]

    assert issued[:2] == ["", ""] and issued[2]  # only the latest assignment's owner is sent one
    assert [n.step for n in notices(task)] == [steps[2]]


def test_a_message_written_before_the_upgrade_is_issued_once_per_deadline_by_the_system(cast):
    task = assign(cast)
    assigner = TaskStep.objects.get(task=task, action="assign").actor_id
    # the message as the old code wrote it: (task, deadline, assigner), no step
    number = ladder_notice_task(task.pk, task.deadline.isoformat(), assigner)
    assert number and ladder_notice_task(task.pk, task.deadline.isoformat(), assigner) == number
    notice = Notice.objects.get(task=task)
    escalated = TaskStep.objects.get(task=task, action="escalate")
    assert (notice.step, notice.issued_by, escalated.actor, escalated.data["assigned_by"]) == (
        None, None, None, assigner)


def test_the_schedule_s_documents_stay_once_per_deadline_and_follow_a_new_one(cast,
                                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = assign(cast)
    due = task.deadline
    assert ladder.ladder_run(now=at(due - datetime.timedelta(days=7)))["reminder"] == 1
    assert ladder.ladder_run(now=at(due - datetime.timedelta(days=6)))["reminder"] == 0
    # a new owner, the same deadline: a new 督办通知书, but the 提醒书 of that deadline is not issued again
    task = reassign(cast, task, django_capture_on_commit_callbacks, owner_place=None,
                    owner_department=cast.departments["chengguan@D"], responsible=cast.user(Role.DEPARTMENT_STAFF))
    assert ladder.ladder_run(now=at(due - datetime.timedelta(days=5)))["reminder"] == 0
    # a later deadline: its own 提醒书 in its last week
    later = due + datetime.timedelta(days=20)
    reassign(cast, task, django_capture_on_commit_callbacks, deadline=later)
    assert ladder.ladder_run(now=at(later - datetime.timedelta(days=7)))["reminder"] == 1
    assert sorted(Notice.objects.filter(task=task, kind=Ladder.REMINDER).values_list("deadline", flat=True)) == [
        due, later]
    assert len(notices(task)) == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("_", [pytest.param(None, marks=postgres_only)])
def test_the_beat_s_documents_racing_two_verifies_of_one_version_one_verify_wins_nothing_lost(_):
    cast = build_cast()
    task = submitted(cast)
    version = task.version
    kinds = [Ladder.REMINDER, Ladder.WARNING]

    def work(i):
        if i < 2:  # the beat's documents, issued on copies loaded before the verifies
            return ladder.issue_notice(Rectification.objects.get(pk=task.pk), kinds[i]).number
        return services.task_verify(actor=cast.user(Role.INSPECTOR), task=Rectification.objects.get(pk=task.pk),
                                    version=version).status

    results = _race(work, 4)

    assert [kind for kind, _v in results[:2]] == ["ok", "ok"], results
    verifies = sorted((kind, type(v).__name__ if kind == "error" else v) for kind, v in results[2:])
    assert verifies == [("error", Conflict.__name__), ("ok", TaskStatus.TICKED_OFF)], results
    task.refresh_from_db()
    assert (task.status, task.ladder, task.version) == (TaskStatus.TICKED_OFF, Ladder.WARNING, version + 1)
    assert task.final_deadline is not None
    assert TaskStep.objects.filter(task=task, action="escalate", data__kind__in=kinds).count() == 2
