"""outreach's Celery tasks: thin, idempotent, over the services."""

from celery import shared_task

from .services import hours


@shared_task(time_limit=300, soft_time_limit=280)
def hours_close_forgotten_task() -> int:
    """Close forgotten check-outs at their event's end (flagged, never longer); running twice closes nothing more."""
    return hours.hours_close_forgotten()
