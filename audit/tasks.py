import datetime

from celery import shared_task
from django.utils import timezone

from . import chain


@shared_task(time_limit=420, soft_time_limit=360, max_retries=3, autoretry_for=(OSError,), retry_backoff=True)
def audit_seal_task(day: str | None = None) -> int:
    """Seal every unsealed day up to `day` (ISO date; yesterday in Asia/Shanghai by default). Idempotent."""
    last = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(days=1)
    return len(chain.seal_through(last))
