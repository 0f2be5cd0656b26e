"""Enter a year's official holiday arrangement (it replaces the provisional days and recounts open cases'
deadlines), or store the provisional years ahead.

    manage.py load_holidays --year 2027 --file 2027.txt --source "国办发明电〔2026〕X号"
    manage.py load_holidays --year 2027 --from-library      # after upgrading chinese-calendar
    manage.py load_holidays --extend                         # provisional years (the daily task does it too)

The file has one line per period, as the notice states it: `2027-01-01~2027-01-03 休 元旦`,
`2027-02-14 班 春节调休`; lines starting with # are comments."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases import holidays


class Command(BaseCommand):
    help = "Enter a year's official holiday arrangement (from a file or chinese-calendar), or extend provisional years."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int)
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", type=Path, help="the arrangement, one period a line")
        source.add_argument("--from-library", action="store_true", help="the installed chinese-calendar's data")
        source.add_argument("--extend", action="store_true", help="store provisional years ahead")
        parser.add_argument("--source", default="", help="where the arrangement comes from (the notice's number)")

    def handle(self, *args, year=None, file=None, from_library=False, extend=False, source="", **options):
        if extend:
            years = holidays.holiday_years_extend()
            self.stdout.write(f"Provisional years stored: {', '.join(map(str, years)) or 'none needed'}.")
            return
        if year is None or not (file or from_library):
            raise CommandError("Give --year with --file or --from-library (or --extend alone).")
        try:
            if from_library:
                days, library = holidays.arrangement_from_library(year)
                source = source or library
            else:
                days = holidays.parse_arrangement(file.read_text(encoding="utf-8"), year)
                source = source or file.name
            result = holidays.holiday_year_enter(actor=None, year=year, days=days, source=source)
        except (ValidationError, OSError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{year}: {result['days']} days entered from {source}; {result['recounted']} open cases' deadlines "
            f"recounted, {result['kept']} already past their deadline kept as they were."))
