"""`manage.py load_demo_in_background`: the demo history and bulletins, behind a serving `make run`.

It runs `load_demo_history` then `load_demo_bulletins` (found by name, as the shell finds the apps) and keeps the
progress record the signed-in pages show (wudu/demo_progress.py). Both are idempotent: on a later start it ends
at once. Tasks run in this process, as under `make demo`, whatever the broker: the history's thousands of notices
are its own (kept quiet, the old ones marked read at the end), not the worker's queue."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from wudu import demo_progress


class Command(BaseCommand):
    help = "Add the demo history and bulletins with a progress record (run by `make run` beside the server)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo history can only be loaded with DEMO_MODE on, never in production.")
        demo_progress.begin()
        with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
            call_command("load_demo_history", stdout=self.stdout, stderr=self.stderr)
            call_command("load_demo_bulletins", stdout=self.stdout, stderr=self.stderr)
        demo_progress.finish()
