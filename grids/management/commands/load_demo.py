from django.core.management.base import BaseCommand, CommandError

from grids.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo district 魏都区 (idempotent: a second run changes nothing). Demo mode only."

    def handle(self, *args, **options):
        try:
            result = load_demo(stdout=self.stdout)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo district ready ({result['created']} records created this run)."))
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<11} {account.description}")
