"""The ladder's documents of one task, for the task's page (templates/inspections/ladder/_task_notices.html)."""

from django import template

from ..selectors.ladder import HeadOf, task_notices

register = template.Library()


@register.simple_tag
def ladder_notices(task, user) -> list[tuple]:
    """[(document, may the user acknowledge it)] of `task`, oldest first (two queries)."""
    rows = task_notices(task)
    head = HeadOf.of(user)
    for notice in rows:
        notice.task = task
    return [(notice, head.may_acknowledge(notice)) for notice in rows]
