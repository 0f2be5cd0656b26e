"""`manage.py backup` (`make backup`): the database, the uploaded files and a manifest into BACKUP_DIR."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from wudu import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or SQLite's backup API) and MEDIA_ROOT, with a manifest of checksums."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None,
                            help="directory that receives the backup's own folder (default: BACKUP_DIR)")
        parser.add_argument("--database", default="default", help="the database alias to back up")

    def handle(self, *args, **options):
        destination = options["output"] or Path(settings.BACKUP_DIR)
        try:
            directory = backup.create(destination, db=connections[options["database"]].settings_dict,
                                      media_root=Path(settings.MEDIA_ROOT))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backup.read_manifest(directory)
        tables, rows = backup.summary(manifest)
        size = sum(entry["size"] for entry in manifest["files"].values())
        self.stdout.write(
            f"Backup written to {directory}: {tables} tables, {rows} rows, {len(manifest['media'])} files, "
            f"{size / 1024 / 1024:.1f} MB in {manifest['seconds']:.1f} s"
        )
