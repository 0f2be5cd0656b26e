import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit import chain


class Command(BaseCommand):
    help = "Seal every unsealed day of the audit up to a day (yesterday by default), as the 00:20 task does."

    def add_arguments(self, parser):
        parser.add_argument("--through", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, through=None, **options):
        last = through or timezone.localdate() - datetime.timedelta(days=1)
        sealed = chain.seal_through(last)
        self.stdout.write(f"{len(sealed)} day(s) sealed")
