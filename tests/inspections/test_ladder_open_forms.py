"""The ladder's steps (a document's escalate, an acknowledgement) move no status and claim no version: someone who
opened a task's form before the 08:05 beat, or before the unit head signed, still gets their step through — nothing
they saw changed — and neither write loses the other's fields. Two people's steps still race: exactly one wins."""

from __future__ import annotations

import datetime

import pytest

from grids.models import Role
from inspections.models import Ladder, Rectification, TaskStatus, TaskStep
from inspections.services import ladder
from inspections.services import tasks as services
from wudu.errors import Conflict

from .ladder_helpers import at
from .tasks_world import assign, key, submitted

pytestmark = pytest.mark.django_db


def opened(task: Rectification) -> Rectification:
    """The task as a page loaded it (its form carries this version)."""
    return Rectification.objects.get(pk=task.pk)


def test_a_progress_form_opened_before_the_beat_still_goes_through(cast):
    task = assign(cast)
    page = opened(task)
    seen = page.version

    counts = ladder.ladder_run(now=at(task.deadline - datetime.timedelta(days=7), 8))  # the 08:05 beat: a 提醒书
    assert counts["reminder"] == 1
    task.refresh_from_db()
    assert (task.version, task.ladder) == (seen, Ladder.REMINDER)

    done = services.task_progress(actor=cast.user(Role.COMMUNITY_OFFICIAL), task=page, version=seen,
                                  note="已更新公开栏", idempotency_key=key())

    assert done.status == TaskStatus.IN_PROGRESS and done.version == seen + 1
    assert done.ladder == Ladder.REMINDER  # the step kept the beat's field (and the beat the step's)
    assert list(TaskStep.objects.filter(task=task).values_list("action", flat=True)) == [
        "assign", "escalate", "progress"]


def test_a_verify_form_opened_before_a_warning_and_its_acknowledgement_still_ticks_off(cast):
    task = submitted(cast)
    page = opened(task)
    warning = ladder.issue_notice(task, Ladder.WARNING)
    ladder.acknowledge(cast.user(Role.COMMUNITY_OFFICIAL), warning)

    done = services.task_verify(actor=cast.user(Role.INSPECTOR), task=page, version=page.version, note="材料属实")

    assert done.status == TaskStatus.TICKED_OFF
    # the warning's fields survive the verify, and the system steps recorded the status as it was
    assert (done.ladder, done.final_deadline) == (Ladder.WARNING, warning.deadline)
    system = TaskStep.objects.filter(task=task, action__in=["escalate", "acknowledge"])
    assert {(s.from_status, s.to_status) for s in system} == {(TaskStatus.SUBMITTED, TaskStatus.SUBMITTED)}


def test_two_people_on_one_version_still_one_wins_after_the_beat(cast):
    task = submitted(cast)
    first, second = opened(task), opened(task)
    ladder.issue_notice(task, Ladder.REMINDER)

    services.task_verify(actor=cast.user(Role.INSPECTOR), task=first, version=first.version)
    with pytest.raises(Conflict):
        services.task_reject(actor=cast.user(Role.INSPECTOR), task=second, version=second.version, note="照片看不清")
    assert opened(task).status == TaskStatus.TICKED_OFF
    assert not TaskStep.objects.filter(task=task, action="reject").exists()


def test_a_lower_document_never_lowers_the_ladder_judged_on_the_row_as_it_is(cast):
    task = assign(cast)
    stale = opened(task)
    ladder.issue_notice(task, Ladder.WARNING)
    ladder.issue_notice(stale, Ladder.REMINDER)  # issued from a copy loaded before the warning

    task.refresh_from_db()
    assert task.ladder == Ladder.WARNING and task.final_deadline is not None
