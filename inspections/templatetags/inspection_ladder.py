"""The ladder's documents of one task, for the task's page (templates/inspections/ladder/_task_notices.html)."""

import datetime

from django import template

from ..selectors.ladder import HeadOf, task_notices
from ..services.ladder import final_deadline_days

register = template.Library()


@register.simple_tag
def ladder_notices(task, user) -> list[tuple]:
    """[(document, may the user acknowledge it)] of `task`, oldest first (two queries)."""
    rows = task_notices(task)
    head = HeadOf.of(user)
    for notice in rows:
        notice.task = task
    return [(notice, head.may_acknowledge(notice)) for notice in rows]


@register.simple_tag
def ladder_final_deadline(task):
    """The final deadline a 告诫书 set for the task's current deadline (None before one, or once the deadline moved)."""
    if task.final_deadline is None:
        return None
    return task.final_deadline if task.final_deadline == task.deadline + datetime.timedelta(
        days=final_deadline_days()) else None
