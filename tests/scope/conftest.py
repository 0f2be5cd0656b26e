import pytest

from tests.scope.registry import build_world


@pytest.fixture
def world(request, _cast_store):
    """The matrix's world (registry.build_world): built once per worker in a savepoint above the cast, a layer of
    the cast store (tests/cast_store.py) kept while consecutive tests ask for it; each test gets a deep copy of it,
    in a savepoint above it."""
    shared = _cast_store.layer("world", build_world)
    if shared is None:  # the test's own transaction opened first: build it inside
        shared = build_world(request.getfixturevalue("cast"))
    request.getfixturevalue("db")
    return shared
