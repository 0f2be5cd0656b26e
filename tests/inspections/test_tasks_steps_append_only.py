"""A task's steps are written once, like a case's events (wudu.models.AppendOnly): never edited nor removed."""

import pytest
from django.core.exceptions import ValidationError

from inspections.models import TaskStep

from .tasks_world import assign

pytestmark = pytest.mark.django_db


def test_a_task_step_once_written_cannot_be_edited_or_deleted(cast):
    step = assign(cast).steps.get()
    step.note = "改写的说明"
    with pytest.raises(ValidationError, match="流转记录不可修改。"):
        step.save()
    with pytest.raises(ValidationError, match="流转记录不可删除。"):
        step.delete()
    stored = TaskStep.objects.get(pk=step.pk)
    assert stored.note != "改写的说明"
