"""Backup and restore (`make backup` / `make restore`): a round trip gives back every row and every photo, and a
damaged archive or a database in use is refused before anything is touched.

The round trip runs on the engine of the suite: PostgreSQL (pg_dump/pg_restore) in the PostgreSQL phase, SQLite
(its backup API) in the SQLite one. The comparison is the test's own, independent of the checksums the backup
module writes: every table's row count and the md5 of all its rows' text.
"""

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.cast import build_cast
from wudu import backup

PHOTOS = {
    "visits/2026/11/a.jpg": b"\xff\xd8\xff\xe0" + b"visit photo" * 100,
    "cases/2026/11/b.jpg": b"\xff\xd8\xff\xe0" + b"case photo" * 50,
    "people/c.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
}


def write_photos(root: Path) -> None:
    for name, content in PHOTOS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------------------------------------- PostgreSQL


def pg_tables_md5(db: dict) -> dict[str, tuple[int, str]]:
    """Per table: (rows, md5 of string_agg(row::text ORDER BY row::text)) — the test's own measure."""
    from psycopg2 import sql

    conn = backup.pg_connect(db)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            result = {}
            for (table,) in cursor.fetchall():
                cursor.execute(sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table)))
                result[table] = tuple(cursor.fetchone())
            return result
    finally:
        conn.close()


def pg_sequences(db: dict) -> list[tuple[str, int]]:
    """Where each id sequence stands: a restored database must not hand out an id that exists already."""
    conn = backup.pg_connect(db)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
            return cursor.fetchall()
    finally:
        conn.close()


@pytest.fixture
def other_pg_database():
    """An empty PostgreSQL database beside the test database, dropped afterwards."""
    from psycopg2 import sql

    source = connection.settings_dict
    target = {**source, "NAME": f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"}
    admin = backup.pg_connect({**source, "NAME": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
    try:
        yield target
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target["NAME"])))
        admin.close()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_gives_back_every_row_of_every_table_and_every_photo(tmp_path, other_pg_database):
    build_cast()  # committed, so that pg_dump (another session) sees it
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    write_photos(media)
    source = connection.settings_dict
    before, sequences = pg_tables_md5(source), pg_sequences(source)
    assert before["grids_place"][0] > 0 and before["grids_user"][0] > 0
    assert any(value for _name, value in sequences)

    directory = backup.create(tmp_path / "backups", db=source, media_root=media)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["database"]["engine"] == "postgresql"
    assert {name: entry["rows"] for name, entry in manifest["tables"].items()} == {
        table: rows for table, (rows, _md5) in before.items()}
    assert set(manifest["media"]) == set(PHOTOS)

    result = backup.restore(directory, db=other_pg_database, media_root=restored_media)
    assert result.mismatches == []
    assert pg_tables_md5(other_pg_database) == before
    assert pg_sequences(other_pg_database) == sequences
    assert read_tree(restored_media) == PHOTOS

    # a second restore into the now-full database is refused; forced, it replaces it and still matches
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(directory, db=other_pg_database, media_root=tmp_path / "empty-media")
    result = backup.restore(directory, db=other_pg_database, media_root=restored_media, force=True)
    assert result.mismatches == [] and pg_tables_md5(other_pg_database) == before


# ---------------------------------------------------------------------------------------------- SQLite


def sqlite_tables(name: str) -> dict[str, tuple[int, list]]:
    conn = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")]
        return {table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}
    finally:
        conn.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant of the round trip")
@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_gives_back_every_row_of_every_table_and_every_photo(tmp_path):
    build_cast()
    media = tmp_path / "media"
    write_photos(media)
    before = sqlite_tables(connection.settings_dict["NAME"])
    assert before["grids_place"] and before["grids_user"]

    directory = backup.create(tmp_path / "backups", db=connection.settings_dict, media_root=media)
    target = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
    result = backup.restore(directory, db=target, media_root=tmp_path / "restored-media")
    assert result.mismatches == []
    assert sqlite_tables(target["NAME"]) == before
    assert read_tree(tmp_path / "restored-media") == PHOTOS


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the live test database is SQLite here")
@pytest.mark.django_db(transaction=True)
def test_make_restore_refuses_the_database_in_use_and_make_backup_reports_what_it_wrote(tmp_path, settings,
                                                                                         capsys):
    build_cast()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    write_photos(settings.MEDIA_ROOT)
    call_command("backup")
    assert "3 files" in capsys.readouterr().out
    with pytest.raises(CommandError, match="the database and .* not empty"):
        call_command("restore")  # the newest backup, over the live database and photos
    assert sqlite_tables(connection.settings_dict["NAME"])["grids_place"]


# ---------------------------------------------------------------------------------------------- refusals


@pytest.fixture
def small_backup(tmp_path) -> Path:
    """A backup of a small SQLite database of its own (no Django database needed) and three photos."""
    name = tmp_path / "source.sqlite3"
    conn = sqlite3.connect(name)
    conn.execute("CREATE TABLE household (id INTEGER PRIMARY KEY, name TEXT, members INTEGER)")
    conn.executemany("INSERT INTO household VALUES (?, ?, ?)", [(i, f"户{i}", i % 5) for i in range(1, 201)])
    conn.commit()
    conn.close()
    write_photos(tmp_path / "media")
    return backup.create(tmp_path / "backups", db={"ENGINE": "django.db.backends.sqlite3", "NAME": str(name)},
                         media_root=tmp_path / "media")


def target(tmp_path, name="target.sqlite3") -> dict:
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / name)}


def test_the_manifest_lists_time_engine_tables_and_each_file(small_backup):
    manifest = json.loads((small_backup / "manifest.json").read_text())
    assert manifest["created_at"].endswith("+00:00") and manifest["database"]["engine"] == "sqlite3"
    assert "commit" in manifest["app"]
    assert manifest["tables"]["household"]["rows"] == 200 and len(manifest["tables"]["household"]["checksum"]) == 64
    assert manifest["media"]["people/c.png"] == {"size": len(PHOTOS["people/c.png"]),
                                                 "sha256": backup.sha256_file(small_backup.parent.parent / "media"
                                                                              / "people/c.png")}
    assert set(manifest["files"]) == {"database.sqlite3", "media.tar"}


def test_a_damaged_database_file_is_refused_and_nothing_is_restored(small_backup, tmp_path):
    dump = small_backup / "database.sqlite3"
    data = bytearray(dump.read_bytes())
    data[-100] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="database.sqlite3: size or sha256 differs"):
        backup.restore(small_backup, db=target(tmp_path), media_root=tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    assert backup.sqlite_is_empty(target(tmp_path))


def test_a_photo_changed_inside_the_archive_with_a_matching_tar_checksum_is_still_refused(small_backup, tmp_path):
    """Someone rebuilt media.tar with one photo changed and fixed the tar's own checksum in the manifest: the
    photo's checksum still gives it away."""
    import tarfile

    media = tmp_path / "media"
    (media / "people/c.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"another face")
    with tarfile.open(small_backup / "media.tar", "w") as archive:
        for name in PHOTOS:
            archive.add(media / name, arcname=name)
    manifest = json.loads((small_backup / "manifest.json").read_text())
    manifest["files"]["media.tar"] = {"size": (small_backup / "media.tar").stat().st_size,
                                      "sha256": backup.sha256_file(small_backup / "media.tar")}
    (small_backup / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="media/people/c.png: size or sha256 differs"):
        backup.restore(small_backup, db=target(tmp_path), media_root=tmp_path / "restored")


def test_a_missing_photo_is_refused(small_backup, tmp_path):
    manifest = json.loads((small_backup / "manifest.json").read_text())
    manifest["media"]["visits/lost.jpg"] = {"size": 3, "sha256": "0" * 64}
    (small_backup / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="visits/lost.jpg: missing from media.tar"):
        backup.restore(small_backup, db=target(tmp_path), media_root=tmp_path / "restored")


def test_a_database_that_is_not_empty_is_refused_unless_forced(small_backup, tmp_path):
    db = target(tmp_path)
    conn = sqlite3.connect(db["NAME"])
    conn.execute("CREATE TABLE something (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(backup.BackupError, match="the database is not empty"):
        backup.restore(small_backup, db=db, media_root=tmp_path / "restored")
    result = backup.restore(small_backup, db=db, media_root=tmp_path / "restored", force=True)
    assert result.mismatches == [] and result.rows == 200 and result.files == 3
    assert "something" not in sqlite_tables(db["NAME"])  # replaced, not merged


def test_photos_already_in_media_root_are_refused_unless_forced(small_backup, tmp_path):
    (tmp_path / "restored").mkdir()
    (tmp_path / "restored" / "old.jpg").write_bytes(b"old")
    with pytest.raises(backup.BackupError, match="restored is not empty"):
        backup.restore(small_backup, db=target(tmp_path), media_root=tmp_path / "restored")


def test_a_restore_that_comes_out_different_from_the_manifest_says_which_table(small_backup, tmp_path):
    manifest = json.loads((small_backup / "manifest.json").read_text())
    manifest["tables"]["household"]["rows"] = 201
    (small_backup / "manifest.json").write_text(json.dumps(manifest))
    result = backup.restore(small_backup, db=target(tmp_path), media_root=tmp_path / "restored")
    assert result.mismatches == ["table household: 200 rows, the backup had 201"]


def test_a_backup_of_another_engine_is_refused(small_backup, tmp_path):
    pg = {"ENGINE": "django.db.backends.postgresql", "NAME": "wudu", "HOST": "127.0.0.1"}
    with pytest.raises(backup.BackupError, match="sqlite3 database; the target is postgresql"):
        backup.restore(small_backup, db=pg, media_root=tmp_path / "restored")
