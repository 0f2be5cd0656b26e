"""The inspections' demo reads as a history that happened in order: each task's steps in the order of their times,
every ladder document after the assignment it follows, and a resident asked (their SMS sent) before they answer.

The demo district is built once for the module, as tests/inspections/test_demo.py builds it.
"""

import pytest

from inspections.models import EvidenceKind, Ladder, Notice, Rectification, TaskEvidence, TaskStep
from tests.inspections.test_demo import demo  # noqa: F401  (the module's demo district, built once)
from wudu.models import OutboxEffect, OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def test_each_task_s_steps_are_in_the_order_of_their_times(demo):  # noqa: F811
    out_of_order = []
    for task in Rectification.objects.all():
        steps = list(TaskStep.objects.filter(task=task).order_by("id").values_list("action", "at"))
        out_of_order += [(task.pk, before, after) for before, after in zip(steps, steps[1:], strict=False)
                         if after[1] < before[1]]
    assert out_of_order == []
    assert TaskStep.objects.count() > 30


def test_every_document_is_issued_after_its_task_s_assignment(demo):  # noqa: F811
    notices = list(Notice.objects.select_related("step"))
    assert {n.kind for n in notices} >= {Ladder.NOTICE, Ladder.REMINDER, Ladder.WARNING}
    for notice in notices:
        assigned = TaskStep.objects.filter(task=notice.task_id, action="assign").get()
        assert notice.issued_at >= assigned.at, notice.number
        escalated = TaskStep.objects.get(task=notice.task_id, action="escalate", data__number=notice.number)
        assert escalated.at == notice.issued_at
    # an assignment's notice follows its step, and is the system's (the step names who assigned)
    for notice in (n for n in notices if n.kind == Ladder.NOTICE):
        assert notice.step is not None and notice.step.action == "assign" and notice.issued_by is None
        assert notice.issued_at > notice.step.at


def test_the_resident_is_asked_by_sms_before_they_answer(demo):  # noqa: F811
    asked = list(TaskEvidence.objects.filter(kind=EvidenceKind.RESIDENT).select_related("step"))
    assert any(a.confirmed_at for a in asked)
    for request in asked:
        assert request.uploaded_at == request.step.at  # asked with the progress step that brought it
        message = OutboxMessage.objects.get(key=f"rectification-confirm:{request.pk}")
        sms = OutboxEffect.objects.get(key=f"rectification-confirm-sms:{request.pk}")
        assert request.step.at <= message.created_at <= sms.done_at
        if request.confirmed_at is not None:
            assert sms.done_at < request.confirmed_at
