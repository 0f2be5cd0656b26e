from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from outreach.demo_history import load_party_history


class Command(BaseCommand):
    help = "Add a year of branch meetings (三会一课, 主题党日) to the demo district's party organisations. Idempotent."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo history can only be loaded with DEMO_MODE on, never in production.")
        result = load_party_history(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"Demo party life ready ({result['meetings']} meetings scheduled, {result['held']} held, this run)."))
