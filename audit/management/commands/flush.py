"""Django's `flush`, allowed past the audit's TRUNCATE guard outside production only.

The test runner empties the database with `flush` after each transactional test (TRUNCATE of every table); the
audit tables refuse TRUNCATE unless the session says `audit.flush = on`, which only this command sets. In
production the command refuses: the audit is kept (docs/audit.md, "Retention").
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError("flush is refused in production: the audit tables are append-only.")
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute("SET audit.flush = 'on'")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET audit.flush")
