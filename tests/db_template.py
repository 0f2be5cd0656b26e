"""Each pytest process's test database, cloned from one migrated once per schema (not once per worker).

Migrating the test database is some 140 migrations whose state Django renders operation by operation: tens of
seconds of CPU, which every xdist worker of every phase paid again (two workers on two cores: two copies of the same
work), and the live Celery phase after them once more. Instead the first process to need a database migrates a
template, under a file lock; every process, that one included, then gets a copy of it:

  SQLite      the template is a file in the temporary directory; each process copies it into its own in-memory
              test database with SQLite's backup API (milliseconds), so the tests still run in memory.
  PostgreSQL  the template is a database beside the test ones (`<test name>_tpl_<key>`); each process's test
              database is `CREATE DATABASE … TEMPLATE` it (a file copy, about a second).

The template is named by a key over what decides its content: Django's version, requirements.txt, every installed
app's migrations and every project module (migrations import some). Any change there names a new template, which
is migrated afresh; an old one is never reused for a different schema. A template that exists is complete: it is
built under another name and renamed when done. Templates stay for the next phase or run (the live Celery phase
clones the PostgreSQL phase's); a newly built one removes the older ones of the same test database name.

`--reuse-db` (keepdb) and databases other than `default` go the ordinary way; TEST_DB_TEMPLATE=0 turns this off.
tests/test_db_template.py checks that a cloned database has every migration applied.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import sqlite3
import tempfile
import time
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db.backends.base.creation import BaseDatabaseCreation

_ORIGINAL = BaseDatabaseCreation.create_test_db
_KEY: str | None = None


def install() -> None:
    if os.environ.get("TEST_DB_TEMPLATE", "1") != "0":
        BaseDatabaseCreation.create_test_db = _create_test_db


def schema_key() -> str:
    """What the migrated database depends on, hashed (once per process)."""
    global _KEY
    if _KEY is None:
        digest = hashlib.sha256(django.get_version().encode())
        base = Path(settings.BASE_DIR)
        requirements = base / "requirements.txt"
        if requirements.exists():
            digest.update(requirements.read_bytes())
        for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
            root = Path(app.path)
            if root.is_relative_to(base) and "site-packages" not in root.parts:
                files = root.rglob("*.py")  # a project app: all of it (its migrations import its modules)
            else:
                files = (root / "migrations").glob("*.py")
            for path in sorted(files):  # named relative to the app: the same wherever the checkout or venv is
                digest.update(f"{app.label}/{path.relative_to(root)}".encode() + b"\0" + path.read_bytes())
        _KEY = digest.hexdigest()[:12]
    return _KEY


@contextlib.contextmanager
def _file_lock(name: str):
    with open(Path(tempfile.gettempdir()) / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate_into(creation, name: str, verbosity: int) -> None:
    """Django's own test-database creation (create, migrate, cache table) under another test name."""
    test_settings = creation.connection.settings_dict["TEST"]
    saved = test_settings.get("NAME")
    test_settings["NAME"] = name
    try:
        _ORIGINAL(creation, verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False)
    finally:
        test_settings["NAME"] = saved
        creation.connection.close()


def _use(creation, name: str) -> None:
    creation.connection.close()
    settings.DATABASES[creation.connection.alias]["NAME"] = name
    creation.connection.settings_dict["NAME"] = name


def _sqlite(creation, verbosity: int) -> str | None:
    name = creation._get_test_db_name()
    if not creation.is_in_memory_db(name):
        return None
    key = schema_key()
    template = Path(tempfile.gettempdir()) / f"wudu-test-db-{key}.sqlite3"
    with _file_lock(template.name):
        if not template.exists():
            building = template.with_name(template.name + ".building")
            for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
                leftover.unlink(missing_ok=True)
            _migrate_into(creation, str(building), verbosity)
            with contextlib.closing(sqlite3.connect(building)) as db:  # one self-contained file
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                db.execute("PRAGMA journal_mode=DELETE")
            os.replace(building, template)
            for old in template.parent.glob("wudu-test-db-*.sqlite3"):  # other schemas', unused for a day
                if old != template and time.time() - old.stat().st_mtime > 86400:
                    old.unlink(missing_ok=True)
        _use(creation, name)
        creation.connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(template)) as source:
            source.backup(creation.connection.connection)
    return name


def _postgres_template(creation, verbosity: int) -> str:
    """The migrated template beside the test database (made if missing, under the lock); its name."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = creation._get_test_db_name()
    base = re.sub(f"_{re.escape(worker)}$", "", name) if worker else name
    prefix = f"{base}_tpl_"
    template = prefix + schema_key()
    quote = creation.connection.ops.quote_name

    def databases(pattern: str) -> list[str]:
        with creation._nodb_cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])
            return [row[0] for row in cursor.fetchall()]

    with _file_lock(f"wudu-test-db-{template}"):
        if template not in databases(template):
            building = f"{template}_b"
            _migrate_into(creation, building, verbosity)
            with creation._nodb_cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
            for old in databases(prefix.replace("_", r"\_") + "%"):
                if old != template:
                    with contextlib.suppress(Exception), creation._nodb_cursor() as cursor:
                        cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")  # in use elsewhere: stays
    return template


def _postgres(creation, verbosity: int) -> str:
    name = creation._get_test_db_name()
    template = _postgres_template(creation, verbosity)
    quote = creation.connection.ops.quote_name
    if verbosity >= 1:
        creation.log(f"Cloning test database {name} from {template}...")
    with _file_lock(f"wudu-test-db-{template}"), creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute(f"CREATE DATABASE {quote(name)} WITH TEMPLATE {quote(template)}")
    _use(creation, name)
    return name


def _create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    vendor = self.connection.vendor
    if keepdb or self.connection.alias != "default" or vendor not in ("sqlite", "postgresql"):
        return _ORIGINAL(self, verbosity=verbosity, autoclobber=autoclobber, serialize=serialize, keepdb=keepdb)
    name = _sqlite(self, verbosity) if vendor == "sqlite" else _postgres(self, verbosity)
    if name is None:  # a file test database (TEST NAME set): as Django makes it
        return _ORIGINAL(self, verbosity=verbosity, autoclobber=autoclobber, serialize=serialize, keepdb=keepdb)
    if serialize:
        self.connection._test_serialized_contents = self.serialize_db_to_string()
    self.connection.ensure_connection()
    return name


if __name__ == "__main__":
    # `python -m tests.db_template`: make the PostgreSQL template ahead (tests/run.sh, beside the SQLite phase).
    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py
        print(_postgres_template(connection.creation, verbosity=0))
