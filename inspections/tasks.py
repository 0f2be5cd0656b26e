"""Celery tasks of inspections: thin, idempotent, JSON arguments. The ladder's beat (reminders, overdue lists,
escalation) and the 督办通知书 of an assignment (sent through the outbox by the step's receiver)."""

from celery import shared_task

from .services import ladder


@shared_task(time_limit=300, soft_time_limit=270, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def inspection_ladder_task() -> dict:
    """A few times a day (beat `inspection-ladder`): reminders, the overdue list and the ladder's documents; a second
    run sends nothing twice (each message has its Reminder row, each document its (task, kind, deadline))."""
    return ladder.ladder_run()


@shared_task(time_limit=120, soft_time_limit=100, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def ladder_notice_task(task_id: int, deadline: str, actor_id: int | None = None, step_id: int | None = None) -> str:
    """The 督办通知书 of the assign/reassign step `step_id`, issued by the system (idempotent per step); its number, or
    "". `actor_id` is read only from a message written before notices were keyed by their step."""
    notice = ladder.issue_assignment_notice(task_id, deadline, actor_id, step_id=step_id)
    return notice.number if notice is not None else ""
