"""Backups and restores: the database and the uploaded files, with a manifest that proves them whole.

A backup is a directory (`BACKUP_DIR/<UTC time>/`) of three files:

- `database.dump` — PostgreSQL: `pg_dump --format=custom`; SQLite: `database.sqlite3`, a copy by the sqlite3
  backup API (consistent while the site is writing);
- `media.tar` — every file under MEDIA_ROOT (the photos);
- `manifest.json` — when, from which code (git commit, the last migration of each app), which engine; each
  table's row count and checksum; the two files' and each photo's size and sha256.

On PostgreSQL the table checksums and the dump read one snapshot (`pg_export_snapshot` held open while
`pg_dump --snapshot` runs), so the counts in the manifest are those of the dump even while people keep working.

A restore checks every file against the manifest before it touches anything and refuses a mismatch; it restores
only into an empty database and an empty MEDIA_ROOT unless forced (`force=True` drops what is there first); and
after restoring it recounts every table and compares its checksum with the manifest. The checksums catch a
damaged or truncated copy, not a forged one: keep the copies where nobody can rewrite them (deploy/README.md).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import psycopg2.extensions
from django.conf import settings
from psycopg2 import sql

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
CHUNK = 1024 * 1024
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the person running it."""


@dataclass
class Restored:
    path: Path
    tables: int
    rows: int
    files: int
    seconds: float
    mismatches: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ helpers


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(path: Path) -> dict:
    return {"size": path.stat().st_size, "sha256": sha256_file(path)}


def engine_of(db: dict) -> str:
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine not in ("postgresql", "sqlite3"):
        raise BackupError(f"Backups cover PostgreSQL and SQLite, not {db['ENGINE']}.")
    return engine


def _git_commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _media_files(media_root: Path) -> Iterator[Path]:
    if not media_root.is_dir():
        return
    for directory, _dirs, files in os.walk(media_root):
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path


# ------------------------------------------------------------------------------------------------ PostgreSQL


def pg_environment(db: dict) -> dict:
    """libpq's variables for pg_dump/pg_restore (the password never goes on a command line)."""
    env = dict(os.environ)
    values = {"PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"), "PGUSER": db.get("USER"),
              "PGPASSWORD": db.get("PASSWORD"), "PGDATABASE": db.get("NAME")}
    options = db.get("OPTIONS") or {}
    values["PGSSLMODE"] = options.get("sslmode")
    for key, value in values.items():
        if value:
            env[key] = str(value)
        else:
            env.pop(key, None)
    return env


def pg_connect(db: dict):
    options = db.get("OPTIONS") or {}
    try:
        conn = psycopg2.connect(dbname=db["NAME"], host=db.get("HOST") or None, port=db.get("PORT") or None,
                                user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                                sslmode=options.get("sslmode"), connect_timeout=10)
    except psycopg2.OperationalError as exc:  # libpq's message names the host and the database, never the password
        raise BackupError(f"Cannot connect to the database {db['NAME']!r}: {str(exc).strip()}") from exc
    with conn.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")  # a row's text (its timestamps) must not depend on the session
    conn.commit()  # the setting stays for the session; the caller starts its own transaction
    return conn


def pg_tables(cursor) -> list[tuple[str, str, list[str]]]:
    """(schema, table, primary-key columns) of every ordinary table outside the system schemas."""
    cursor.execute(
        """
        SELECT n.nspname, c.relname,
               coalesce((SELECT array_agg(a.attname ORDER BY k.ord)
                         FROM pg_index i
                         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                         WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%'
        ORDER BY 1, 2
        """,
        [list(SYSTEM_SCHEMAS)],
    )
    return [(schema, table, list(pk)) for schema, table, pk in cursor.fetchall()]


def pg_checksums(cursor) -> dict[str, dict]:
    """Each table's row count and the md5 of its rows' md5s in primary-key order (the whole row as text when it
    has no key): a row changed, added or lost changes it."""
    result = {}
    for schema, table, pk in pg_tables(cursor):
        order = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(column)) for column in pk) if pk \
            else sql.SQL("t::text")
        cursor.execute(sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY {}), '')) FROM {}.{} AS t"
        ).format(order, sql.Identifier(schema), sql.Identifier(table)))
        rows, checksum = cursor.fetchone()
        name = table if schema == "public" else f"{schema}.{table}"
        result[name] = {"rows": rows, "checksum": checksum}
    return result


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).") from exc
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def _pg_backup(db: dict, target: Path) -> dict:
    conn = pg_connect(db)
    try:
        conn.set_session(isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = pg_checksums(cursor)
            # The transaction stays open: pg_dump reads the same snapshot as the checksums above.
            _run(["pg_dump", "--format=custom", "--snapshot", snapshot, "--file", str(target)],
                 pg_environment(db), "pg_dump")
        conn.rollback()
    finally:
        conn.close()
    return {"server_version": server_version, "tables": tables}


def pg_is_empty(db: dict) -> bool:
    conn = pg_connect(db)
    try:
        with conn.cursor() as cursor:
            return not pg_tables(cursor)
    finally:
        conn.close()


def _pg_wipe(db: dict) -> None:
    conn = pg_connect(db)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(%s) AND nspname NOT LIKE 'pg_%%'",
                [list(SYSTEM_SCHEMAS)],
            )
            for (schema,) in cursor.fetchall():
                cursor.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
            cursor.execute("CREATE SCHEMA public")
    finally:
        conn.close()


def _pg_restore(db: dict, dump: Path) -> dict[str, dict]:
    # One transaction: a restore that fails half-way leaves the database as empty as it found it. Owners and
    # grants are those of the account restoring (a new server's roles need not match the old one's).
    _run(["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl",
          "--dbname", db["NAME"], str(dump)], pg_environment(db), "pg_restore")
    conn = pg_connect(db)
    try:
        with conn.cursor() as cursor:
            return pg_checksums(cursor)
    finally:
        conn.rollback()
        conn.close()


# ------------------------------------------------------------------------------------------------ SQLite


def _sqlite_connect(name: str) -> sqlite3.Connection:
    name = str(name)
    return sqlite3.connect(name, uri=name.startswith("file:"))


def sqlite_checksums(conn: sqlite3.Connection) -> dict[str, dict]:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    result = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        pk = [row[1] for row in sorted(conn.execute(f"PRAGMA table_info({quoted})"), key=lambda r: r[5]) if row[5]]
        order = ", ".join('"' + column.replace('"', '""') + '"' for column in pk) if pk else "rowid"
        digest, rows = hashlib.sha256(), 0
        for row in conn.execute(f"SELECT * FROM {quoted} ORDER BY {order}"):
            digest.update(repr(row).encode() + b"\n")
            rows += 1
        result[table] = {"rows": rows, "checksum": digest.hexdigest()}
    return result


def _sqlite_backup(db: dict, target: Path) -> dict:
    source = _sqlite_connect(db["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        tables = sqlite_checksums(copy)  # of the copy itself: exactly what the archive holds
        version = sqlite3.sqlite_version
    finally:
        copy.close()
        source.close()
    return {"server_version": version, "tables": tables}


def sqlite_is_empty(db: dict) -> bool:
    conn = _sqlite_connect(db["NAME"])
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    finally:
        conn.close()


def _sqlite_restore(db: dict, copy: Path) -> dict[str, dict]:
    source = sqlite3.connect(copy)
    target = _sqlite_connect(db["NAME"])
    try:
        source.backup(target)  # replaces the whole target database, page by page
        return sqlite_checksums(target)
    finally:
        target.close()
        source.close()


# ------------------------------------------------------------------------------------------------ media


def _media_backup(media_root: Path, target: Path) -> dict[str, dict]:
    files = {}
    with tarfile.open(target, "w") as archive:
        for path in _media_files(media_root):
            name = path.relative_to(media_root).as_posix()
            files[name] = _file_entry(path)
            archive.add(path, arcname=name, recursive=False)
    return files


def _media_members(tar: Path) -> Iterator[tuple[tarfile.TarInfo, str]]:
    with tarfile.open(tar, "r") as archive:
        for member in archive:
            if not member.isfile():
                continue
            digest = hashlib.sha256()
            handle = archive.extractfile(member)
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
            yield member, digest.hexdigest()


def _media_restore(tar: Path, media_root: Path) -> int:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar, "r") as archive:
        members = [member for member in archive if member.isfile()]
        # The "data" filter refuses absolute paths, "..", links and device files: a tar cannot write outside.
        archive.extractall(media_root, members=members, filter="data")
    return len(members)


# ------------------------------------------------------------------------------------------------ the two operations


def create(destination: Path, *, db: dict, media_root: Path) -> Path:
    """Write a backup into a new directory under `destination`; returns the directory."""
    engine = engine_of(db)
    now = datetime.datetime.now(datetime.UTC)
    directory = Path(destination) / now.strftime("%Y%m%dT%H%M%SZ")
    if directory.exists():
        raise BackupError(f"{directory} exists already.")
    work = Path(tempfile.mkdtemp(prefix=".partial-", dir=_mkdir(destination)))
    try:
        started = time.monotonic()
        database_file = PG_DUMP if engine == "postgresql" else SQLITE_COPY
        if engine == "postgresql":
            database = _pg_backup(db, work / database_file)
        else:
            database = _sqlite_backup(db, work / database_file)
        files = _media_backup(Path(media_root), work / MEDIA_TAR)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "app": {"commit": _git_commit(), "migrations": _last_migrations(db)},
            "database": {"engine": engine, "server_version": database["server_version"], "file": database_file,
                         "checksum": "md5 of row md5s" if engine == "postgresql" else "sha256 of row reprs"},
            "files": {database_file: _file_entry(work / database_file), MEDIA_TAR: _file_entry(work / MEDIA_TAR)},
            "tables": database["tables"],
            "media": files,
            "seconds": round(time.monotonic() - started, 2),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        work.rename(directory)  # a backup directory exists only once complete
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return directory


def _mkdir(path: Path) -> Path:
    Path(path).mkdir(parents=True, exist_ok=True)
    return Path(path)


def _last_migrations(db: dict) -> dict[str, str]:
    query = "SELECT app, name FROM django_migrations ORDER BY app, id"
    try:
        if engine_of(db) == "postgresql":
            conn = pg_connect(db)
            try:
                with conn.cursor() as cursor:
                    cursor.execute(query)
                    rows = cursor.fetchall()
            finally:
                conn.close()
        else:
            conn = _sqlite_connect(db["NAME"])
            try:
                rows = conn.execute(query).fetchall()
            finally:
                conn.close()
    except (sqlite3.Error, psycopg2.Error):  # a database without Django's table: nothing to say
        return {}
    return dict(rows)


def latest(destination: Path) -> Path:
    """The newest complete backup under `destination`."""
    found = sorted(p for p in Path(destination).glob("*/" + MANIFEST) if not p.parent.name.startswith("."))
    if not found:
        raise BackupError(f"No backup in {destination}.")
    return found[-1].parent


def read_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{directory} holds no {MANIFEST}: not a backup.") from exc
    except ValueError as exc:
        raise BackupError(f"{directory}/{MANIFEST} is damaged: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def verify(directory: Path, manifest: dict) -> list[str]:
    """Every way the files differ from the manifest (empty: the archive is whole)."""
    problems = []
    for name, expected in manifest["files"].items():
        path = Path(directory) / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _file_entry(path) != expected:
            problems.append(f"{name}: size or sha256 differs from the manifest")
    if problems:
        return problems
    seen = set()
    for member, digest in _media_members(Path(directory) / MEDIA_TAR):
        expected = manifest["media"].get(member.name)
        seen.add(member.name)
        if expected is None:
            problems.append(f"media/{member.name}: not in the manifest")
        elif expected != {"size": member.size, "sha256": digest}:
            problems.append(f"media/{member.name}: size or sha256 differs from the manifest")
    problems += [f"media/{name}: missing from {MEDIA_TAR}" for name in sorted(set(manifest["media"]) - seen)]
    return problems


def compare_tables(expected: dict[str, dict], found: dict[str, dict]) -> list[str]:
    problems = []
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            problems.append(f"table {name}: missing after the restore")
        elif name not in expected:
            problems.append(f"table {name}: not in the backup")
        elif found[name] != expected[name]:
            problems.append(f"table {name}: {found[name]['rows']} rows, the backup had {expected[name]['rows']}"
                            if found[name]["rows"] != expected[name]["rows"]
                            else f"table {name}: the same {found[name]['rows']} rows but a different checksum")
    return problems


def restore(directory: Path, *, db: dict, media_root: Path, force: bool = False) -> Restored:
    """Check the backup in `directory`, then restore it into `db` and `media_root` (both empty, or `force`)."""
    directory, media_root = Path(directory), Path(media_root)
    manifest = read_manifest(directory)
    engine = engine_of(db)
    if manifest["database"]["engine"] != engine:
        raise BackupError(f"This backup is of a {manifest['database']['engine']} database; the target is {engine}.")
    problems = verify(directory, manifest)
    if problems:
        raise BackupError("The backup does not match its manifest; nothing was restored:\n  " + "\n  ".join(problems))
    empty = pg_is_empty(db) if engine == "postgresql" else sqlite_is_empty(db)
    media_empty = not any(_media_files(media_root))
    if not force and not (empty and media_empty):
        what = " and ".join(part for part, ok in (("the database", empty), (f"{media_root}", media_empty)) if not ok)
        raise BackupError(f"{what} is not empty: a restore goes into an empty database and media folder "
                          "(--force replaces what is there).")
    started = time.monotonic()
    if engine == "postgresql":
        if not empty:
            _pg_wipe(db)
        found = _pg_restore(db, directory / manifest["database"]["file"])
    else:
        found = _sqlite_restore(db, directory / manifest["database"]["file"])
    files = _media_restore(directory / MEDIA_TAR, media_root)
    seconds = time.monotonic() - started
    mismatches = compare_tables(manifest["tables"], found)
    return Restored(path=directory, tables=len(found), rows=sum(t["rows"] for t in found.values()), files=files,
                    seconds=seconds, mismatches=mismatches)


def summary(manifest: dict) -> tuple[int, int]:
    """(tables, rows) of a manifest."""
    tables: Iterable[dict] = manifest["tables"].values()
    rows = [table["rows"] for table in tables]
    return len(rows), sum(rows)
