"""outreach's Celery tasks: thin, idempotent, JSON arguments, over the services."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services
from .services import hours

# A whole district's organisations (hundreds) schedule in well under a second; the limits stay far below the
# broker's visibility timeout.
OPTIONS = {"time_limit": 240, "soft_time_limit": 200, "autoretry_for": (OSError,), "max_retries": 3,
           "retry_backoff": True}


@shared_task(time_limit=300, soft_time_limit=280)
def hours_close_forgotten_task() -> int:
    """Close forgotten check-outs at their event's end (flagged, never longer); running twice closes nothing more."""
    return hours.hours_close_forgotten()


@shared_task(**OPTIONS)
def branch_meetings_schedule_task(day: str | None = None) -> int:
    """Make the rows of the meetings due this month and quarter (or those of `day`, ISO) for every party
    organisation; running it twice creates nothing twice."""
    return services.branch_meetings_schedule(day=datetime.date.fromisoformat(day) if day else timezone.localdate())
