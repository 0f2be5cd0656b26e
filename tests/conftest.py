import os

import pytest

from tests import cast_store, db_template
from tests.cast import build_cast

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests on the shared cast first, transactional ones after the other database tests: the cast is then built
    about once per worker. Under `--dist loadgroup`, the tests of an xdist_group go to one worker (see below)."""
    cast_store.reorder(items)
    if getattr(config.option, "loadgroup", False):  # set on the xdist workers of a `--dist loadgroup` run
        _name_xdist_groups(items)


def _name_xdist_groups(items):
    """pytest-xdist 3.8 groups tests by a suffix it appends to their node id (`…::test_x@demo`), but it writes the
    attribute pytest < 9.2 kept the id in: on pytest 9.2 the suffix is lost and the group's tests are spread over the
    workers, each loading the group's module fixture (the demo district) again (pytest-xdist issue #1386). The
    suffix is set here as xdist means it; a run where it still cannot be set stops rather than spread silently."""
    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if not names:
            continue
        suffix = "@" + "_".join(names)
        if not item.nodeid.endswith(suffix):
            from _pytest.nodeid import coerce_node_id  # pytest 9.2's structured id (xdist's own write missed it)

            item._id = coerce_node_id(item.nodeid + suffix)
        if not item.nodeid.endswith(suffix):
            raise pytest.UsageError(f"cannot put {item.nodeid} in its xdist_group {suffix[1:]!r}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture (pytest-django's marker may open the test's transaction): the cast store this test
    needs, open or rolled back (tests/cast_store.py)."""
    cast_store.before_test(item)


@pytest.fixture(scope="session")
def _cast_store(django_db_setup, django_db_blocker):
    """The worker's cast store; session-scoped, so it is set up before the function-scoped fixtures that may open
    the first test's transaction."""
    yield cast_store.start(django_db_blocker)
    cast_store.stop()


@pytest.fixture
def cast(_cast_store, db):
    """The fixed cast: a deep copy of the one built once per worker, the test in a savepoint above it (a
    transactional test, or one whose transaction opened first, builds its own inside the test, as before)."""
    shared = _cast_store.cast_copy()
    return shared if shared is not None else build_cast()


@pytest.fixture
def shared_cast(cast):
    """The same cast (the name of the module-wide one it replaces)."""
    return cast


def pytest_configure(config):
    from django.conf import settings

    db_template.install()  # each process's test database is a copy of one migrated once (tests/db_template.py)

    # Hashing is not what these tests are about; the fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache (locmem in tests): each test starts with none spent (and with no
    process-local copy, such as /healthz's answer)."""
    from django.core.cache import caches

    for alias in caches.settings:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """The test client leaves the last request's language active in the process: start each test in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def export_get(django_capture_on_commit_callbacks):
    """GET an export link as a browser does (wudu.exports): the job is asked for, its task runs when the request's
    work commits (eager here, without a broker), and the job's page leads to the file. Returns the last answer."""

    def get(client, url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(url, data or {}, **extra)
        if response.status_code != 302 or "/exports/" not in response["Location"]:
            return response
        location = response["Location"]
        return client.get(location + "download" if location.endswith("/") else location)

    return get
