"""`manage.py load_demo_in_background`: the demo history and bulletins, behind a serving `make run`.

It runs `load_demo_history`, `load_demo_party` (a year of branch meetings) then `load_demo_bulletins` (found by name, as the shell finds the apps) and keeps the
progress record the signed-in pages show (wudu/demo_progress.py). Both are idempotent: on a later start it ends
at once. Tasks run in this process, as under `make demo`, whatever the broker: the history's thousands of notices
are its own (kept quiet, the old ones marked read at the end), not the worker's queue."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from wudu import demo_progress


class Command(BaseCommand):
    help = "Add the demo history and bulletins with a progress record (run by `make run` beside the server)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo history can only be loaded with DEMO_MODE on, never in production.")
        demo_progress.begin()
        with override_settings(CELERY_TASK_ALWAYS_EAGER=True), connection.execute_wrapper(_GiveWay()):
            call_command("load_demo_history", stdout=self.stdout, stderr=self.stderr)
            call_command("load_demo_party", stdout=self.stdout, stderr=self.stderr)
            call_command("load_demo_bulletins", stdout=self.stdout, stderr=self.stderr)
        demo_progress.finish()


class _GiveWay:
    """SQLite lets one writer in at a time and does not queue the others: a loader that begins its next write the
    moment it commits the last one starves the server's writes (a sign-in waited out its busy timeout and failed).
    Before a transaction begins, once a second, the loader steps aside for a moment so that a waiting request's
    write gets the lock (its busy handler retries at most every 100 ms)."""

    EVERY = 1.0  # seconds of loading between two pauses
    PAUSE = 0.15  # seconds: longer than SQLite's longest wait between two retries

    def __init__(self):
        self.last = time.monotonic()

    def __call__(self, execute, sql, params, many, context):
        if connection.vendor == "sqlite" and sql.startswith("BEGIN") and time.monotonic() - self.last >= self.EVERY:
            time.sleep(self.PAUSE)
            self.last = time.monotonic()
        return execute(sql, params, many, context)
