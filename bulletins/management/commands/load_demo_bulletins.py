from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bulletins.demo import load_demo_bulletins


class Command(BaseCommand):
    help = "Build the demo district's last three monthly bulletins and last quarter's ranking. Idempotent."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo bulletins can only be built with DEMO_MODE on, never in production.")
        result = load_demo_bulletins(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo bulletins ready ({result['bulletins']} built this run)."))
