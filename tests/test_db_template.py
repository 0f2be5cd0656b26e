"""The test database each process gets (a copy of a template migrated once, tests/db_template.py) is the schema the
migrations make: a stale template would leave a migration unapplied."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import db_template


@pytest.mark.django_db
def test_the_test_database_has_every_migration_applied():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert executor.loader.applied_migrations.keys() >= set(executor.loader.disk_migrations)


def test_the_template_key_changes_with_a_migration(monkeypatch, settings):
    """The key names the template: a project app's migration changed on disk names another one."""
    first = db_template.schema_key()
    migration = next((settings.BASE_DIR / "grids" / "migrations").glob("0001_*.py"))
    read = type(migration).read_bytes
    monkeypatch.setattr(type(migration), "read_bytes",
                        lambda path: read(path) + (b"# changed" if path == migration else b""))
    monkeypatch.setattr(db_template, "_KEY", None)
    assert db_template.schema_key() != first
