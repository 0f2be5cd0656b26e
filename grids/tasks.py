import datetime

from celery import shared_task
from django.utils import timezone

from . import reports


@shared_task(time_limit=600, soft_time_limit=540, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def daily_report_build_task(day: str | None = None) -> int:
    """Build (or rebuild) the daily reports of `day` (ISO date; today in Asia/Shanghai by default)."""
    date = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return reports.daily_report_build(date)
