"""Check the open cases' counter table (the workbench tabs' counts) against the cases, and repair it.

    manage.py cases_recount            # report the rows that differ; exit status 1 if any
    manage.py cases_recount --repair   # replace the table with the recount (steps wait for the moment it takes)

The table is kept by the writes of the case loop (cases.counters); a difference means a write went around them
(an UPDATE by hand, a restore of part of the database)."""

from django.core.management.base import BaseCommand, CommandError

from cases import counters

SHOWN = 50


class Command(BaseCommand):
    help = "Recount the open cases' counter table (queue tab counts); --repair replaces it with the recount."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="replace the table with the recount")

    def handle(self, *args, repair=False, **options):
        found = counters.rebuild() if repair else counters.differences()
        for (prefix, department, status, alert, supervised), (stored, counted) in list(found.items())[:SHOWN]:
            self.stdout.write(f"{prefix} department={department} {status} alert={alert or '-'} "
                              f"supervised={supervised}: stored {stored}, counted {counted}")
        if len(found) > SHOWN:
            self.stdout.write(f"… and {len(found) - SHOWN} more rows")
        if not found:
            self.stdout.write("The counters agree with the cases.")
        elif repair:
            self.stdout.write(f"Repaired {len(found)} rows.")
        else:
            raise CommandError(f"{len(found)} rows differ from the cases; run with --repair to fix them.")
