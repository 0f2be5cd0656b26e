"""`manage.py restore [DIR]` (`make restore`): a backup of `manage.py backup` into an empty database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from wudu import backup


class Command(BaseCommand):
    # The target database is empty (or about to be replaced): checks of its content at start do not apply to it.
    requires_system_checks = []
    help = ("Check a backup against its manifest, restore it into an empty database and MEDIA_ROOT, and compare "
            "every table's row count and checksum with the manifest.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=None,
                            help="the backup's folder (default: the newest under BACKUP_DIR)")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that is not empty (its tables are dropped first) and write "
                                 "the files over those in MEDIA_ROOT")
        parser.add_argument("--database", default="default", help="the database alias to restore into")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        connection.close()  # pg_restore and the checks use connections of their own
        try:
            directory = options["path"] or backup.latest(Path(settings.BACKUP_DIR))
            result = backup.restore(directory, db=connection.settings_dict, media_root=Path(settings.MEDIA_ROOT),
                                    force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.mismatches:
            raise CommandError("Restored, but the database differs from the backup:\n  "
                               + "\n  ".join(result.mismatches))
        self.stdout.write(f"Restored {directory}: {result.tables} tables, {result.rows} rows, {result.files} files "
                          f"in {result.seconds:.1f} s; every table matches the manifest.")
