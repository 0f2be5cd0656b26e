"""Platform tasks: the beat heartbeat that /healthz reads, a ping to check a worker end to end, and the daily
clean-up of the limit counters."""

from celery import shared_task
from django.utils import timezone

from . import exports
from .models import Heartbeat

BEAT_HEARTBEAT = "beat"


@shared_task(bind=True, ignore_result=True, time_limit=30, soft_time_limit=20, max_retries=0)
def heartbeat_task(self) -> None:
    """Record that beat scheduled this and a worker ran it. Idempotent: one row, moved forward."""
    Heartbeat.objects.update_or_create(
        name=BEAT_HEARTBEAT,
        defaults={"beat_at": timezone.now(), "worker": (self.request.hostname or "")[:200]},
    )


@shared_task(time_limit=10, soft_time_limit=5, max_retries=0)
def ping_task() -> str:
    return "pong"


@shared_task(time_limit=300, soft_time_limit=240, max_retries=0)
def quota_prune_task() -> int:
    """Daily: drop the residents' limit counters of windows that ended (the longest window is a day)."""
    import datetime

    from . import quota

    return quota.prune(before=timezone.now() - datetime.timedelta(days=2))


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=100, max_retries=0)
def outbox_relay_task() -> dict:
    """Every minute (beat): the outbox's second path beside `manage.py outbox_relay`. Sends what is still unsent
    and forgets what was sent more than OUTBOX_KEEP_DAYS ago."""
    import datetime

    from django.conf import settings

    from . import outbox

    result = outbox.relay()
    outbox.prune(before=timezone.now() - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS))
    return result


@shared_task(bind=True, ignore_result=True, time_limit=60, soft_time_limit=45, max_retries=0)
def password_reset_link_task(self, user_id: int) -> str:
    """The link a person asked for on /accounts/password_reset/, sent through the outbox so that the page answers
    alike whether or not the account exists (no SMS in the request). Once per message: a redelivery sends nothing."""
    from . import passwords

    return passwords.reset_link_deliver(user_id=user_id, key=self.request.id or "")
@shared_task(ignore_result=True, time_limit=420, soft_time_limit=360, max_retries=0)
def export_job_run_task(job_id: int) -> None:
    """Render one export (wudu.exports). Idempotent: a job already taken or done is left alone. As long as the
    longest build (bulletins_build_task, 420 s): a district's PDF ledger takes well under a minute."""
    exports.export_run(job_id)


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=240, max_retries=0)
def export_purge_task() -> int:
    """Hourly (beat): the files and rows of exports past their retention (EXPORT_RETENTION_HOURS)."""
    return exports.export_purge()
