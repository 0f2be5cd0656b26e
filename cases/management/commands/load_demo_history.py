from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.demo_history import load_history


class Command(BaseCommand):
    help = "Add demo history (households, patrols, visits, daily reports, cases) to the demo district. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="days of history in the demo accounts' streets")
        parser.add_argument("--short-days", type=int, default=14, help="days of history elsewhere")

    def handle(self, *args, days, short_days, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo history can only be loaded with DEMO_MODE on, never in production.")
        result = load_history(days=days, short_days=short_days, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"Demo history ready ({result['patrols']} patrols and {result['cases']} cases added this run)."))
