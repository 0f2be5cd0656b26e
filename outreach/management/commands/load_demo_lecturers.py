from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outreach.demo import load_lecturers_history


class Command(BaseCommand):
    help = "Add the lecturers' pool and a year of its lessons to the demo district (after load_demo). Idempotent."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo history can only be loaded with DEMO_MODE on, never in production.")
        result = load_lecturers_history(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"Lecturers ready ({result['lecturers']} lecturers and {result['lessons']} lessons added this run)."))
