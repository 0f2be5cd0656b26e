import os

import pytest
from django.db import transaction

from tests.cast import build_cast

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def cast(db):
    """The fixed cast, built fresh for this test (rolled back after it)."""
    return build_cast()


@pytest.fixture(scope="module")
def shared_cast(django_db_setup, django_db_blocker):
    """The fixed cast built once per module inside a transaction that is rolled back at the end.

    Each test still runs in its own savepoint (ask for `db`), so writes made by one test are undone.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_cast()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def pytest_configure(config):
    from django.conf import settings

    # Hashing is not what these tests are about; the fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache (locmem in tests): each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """The test client leaves the last request's language active in the process: start each test in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
