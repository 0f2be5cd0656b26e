"""Celery tasks of the case loop: thin, idempotent. They import the modules that do the work (notify, timers,
holidays), never cases.services, which schedules `case_notify_task` after a step commits."""

from celery import shared_task

from . import holidays, notify, timers
from .models import CaseEvent


@shared_task(time_limit=120, soft_time_limit=100, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def case_notify_task(event_id: int) -> int:
    """Tell the people concerned by one case step (idempotent: a notice is keyed by the event)."""
    event = CaseEvent.objects.select_related("case__category", "case__department", "case__grid").filter(
        pk=event_id).first()
    return notify.after_event(event) if event is not None else 0


@shared_task(time_limit=240, soft_time_limit=200, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def case_timers_task() -> dict:
    """Every 15 minutes (beat): mark due-soon and overdue cases and notify those responsible."""
    return timers.case_timers_run()


@shared_task(time_limit=240, soft_time_limit=200, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def holiday_calendar_watch_task() -> dict:
    """Daily (beat): keep provisional years ahead; warn once before the official calendar runs out."""
    return holidays.calendar_watch()
