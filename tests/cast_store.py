"""The cast built once per pytest worker, each test in a savepoint above it (Django's setUpTestData, for pytest).

The store keeps a stack of atomic blocks open on the default connection: at the bottom the cast, built through
the services, and above it at most one named layer (e.g. the scope matrix's world), each holding what it built.
A non-transactional test's own atomic block (pytest-django's `db`) opens on top of the stack, so it becomes a
savepoint and the test's writes are rolled back to it; the test gets a deep copy of the cast objects, so what
it changes in memory does not reach the next test either.

What a test needs is settled before any of its fixtures runs (`before_test`, from conftest's
pytest_runtest_setup), because pytest-django may open the test's atomic block first (the `django_db` marker's
autouse fixture):
  - a non-transactional test that uses the cast: the cast is built if it is not (again after a transactional
    test), and a layer the test does not ask for is rolled back;
  - a transactional test, or one that uses the database without the cast: the whole stack is rolled back, so
    the test starts outside any transaction, on an empty database, as before.
Tests are ordered so that the cast is rarely rebuilt (`ORDER`), but nothing depends on the order: a test that
cannot share the store (its own atomic block opened first, or it asks for the cast late) builds its cast inside
its own block, as every test once did: slower, never wrong.

A copy carries what the built objects carry: the gate's grants cached on a user (`_wudu_grants`, on the admin
after the build), related objects cached on an instance. That is what a fresh build leaves, and it is still true
when a test starts, from the database exactly as the build left it (membership grants have no dates): so a test
sees the same objects, and counts the same queries, as with a cast built for it alone.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, transaction

from tests.cast import Cast, build_cast

# What a test needs of the store, in the order tests run (pytest_collection_modifyitems sorts by it, stable):
# pytest-django's order (database tests, transactional ones, those without the database), with the tests on the
# cast first among the database tests. After the transactional ones nothing needs the cast again. (Tests without
# the database stay last: test_architecture's import-linter reconfigures logging, which the browser tests' caplog
# would miss.)
CAST, DATABASE, TRANSACTIONAL, NO_DATABASE = "cast", "database", "transactional", "no database"
ORDER = {CAST: 0, DATABASE: 1, TRANSACTIONAL: 2, NO_DATABASE: 3}

# Fixtures that make a test transactional (pytest-django's own test, plus its serialized-rollback variants).
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences",
                          "django_db_serialized_rollback"}
TRANSACTIONAL_MARKS = ("browser", "celery_live")
STORE_FIXTURE = "_cast_store"  # every fixture built on the store asks for it (cast, shared_cast, world …)

KIND = pytest.StashKey[str]()


def kind_of(item: pytest.Item) -> str:
    if KIND in item.stash:
        return item.stash[KIND]
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    marked = marker is not None and any(marker.kwargs.get(option) for option in (
        "transaction", "reset_sequences", "serialized_rollback"))
    if (marked or names & TRANSACTIONAL_FIXTURES
            or any(item.get_closest_marker(mark) for mark in TRANSACTIONAL_MARKS)):
        kind = TRANSACTIONAL
    elif STORE_FIXTURE in names:
        kind = CAST
    elif marker is not None or "db" in names:
        kind = DATABASE
    else:
        kind = NO_DATABASE
    item.stash[KIND] = kind
    return kind


def reorder(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: ORDER[kind_of(item)])


def deep_copy(value):
    """`copy.deepcopy(value)`, by a pickle round trip where it can: model instances copy through the same
    __reduce__ either way, but pickle does it in C, four times faster (the matrix copies its world 10,000 times)."""
    try:
        return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(value)


@dataclass
class _Block:
    name: str
    atomic: transaction.Atomic
    value: object


class CastStore:
    """The stack of atomic blocks that holds the cast (and a layer) between tests, on one pytest worker."""

    BASE = "cast"

    def __init__(self, blocker, build: Callable[[], Cast] = build_cast):
        self._blocker = blocker
        self._build = build
        self._blocks: list[_Block] = []
        self._item: pytest.Item | None = None  # the test being set up

    # ------------------------------------------------------------------------------------------- the stack

    @property
    def is_open(self) -> bool:
        return bool(self._blocks)

    def _atomics(self) -> list[transaction.Atomic]:
        return [block.atomic for block in self._blocks]

    def _intact(self) -> bool:
        """Is the stack still at the bottom of the connection's atomic blocks, its transaction usable?"""
        return (self.is_open and not connection.closed_in_transaction and not connection.needs_rollback
                and connection.atomic_blocks[:len(self._blocks)] == self._atomics())

    def _push(self, name: str, build: Callable[[], object]) -> object:
        with self._blocker.unblock():
            atomic = transaction.atomic()
            atomic._from_testcase = True  # as Django's TestCase marks its own: durable blocks may open above it
            atomic.__enter__()
            try:
                value = build()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        self._blocks.append(_Block(name, atomic, value))
        return value

    def _drop_to(self, depth: int) -> None:
        """Roll the blocks above `depth` back, the top one first."""
        if len(self._blocks) <= depth:
            return
        blocks = connection.atomic_blocks
        top = self._blocks[-1].atomic
        if blocks and blocks[-1] is not top and any(block is top for block in blocks):
            raise RuntimeError("an atomic block is still open above the cast store's: it cannot be rolled back "
                               "(a fixture opened a transaction of its own while the cast was in use?)")
        with self._blocker.unblock():
            while len(self._blocks) > depth:
                block = self._blocks.pop()
                if connection.atomic_blocks and connection.atomic_blocks[-1] is block.atomic:
                    transaction.set_rollback(True)
                    block.atomic.__exit__(None, None, None)
                # else the connection was reset under it: there is nothing left to roll back

    def close(self) -> None:
        """Roll everything back: the connection is left outside any transaction, the database empty."""
        self._drop_to(0)

    def _open(self) -> bool:
        """Build the cast at the bottom of the stack, unless an atomic block (a test's own) is already open."""
        if self.is_open:
            return True
        if connection.in_atomic_block:
            return False
        global builds
        self._push(self.BASE, self._build)
        builds += 1
        return True

    # ------------------------------------------------------------------------------------------- per test

    def before_test(self, item: pytest.Item) -> None:
        """Before any fixture of `item` runs: the stack it needs (see the module's docstring)."""
        self._item = item
        if self.is_open and not self._intact():
            self.close()
        kind = kind_of(item)
        if kind == CAST:
            wanted = set(item.fixturenames)
            keep = next((depth for depth, block in enumerate(self._blocks[1:], start=1)
                         if block.name not in wanted), len(self._blocks))
            self._drop_to(keep)
            self._open()
        elif kind in (DATABASE, TRANSACTIONAL):
            self.close()

    def _shared(self) -> bool:
        """May the current test use the stack (it is a non-transactional test on the cast)?"""
        return self._item is not None and kind_of(self._item) == CAST and (not self.is_open or self._intact())

    def cast_copy(self) -> Cast | None:
        """For the `cast` fixture, inside the test's own atomic block: a deep copy of the shared cast, or None
        when the test must build its own (the store is not open under the test's block)."""
        if not self._shared() or not self.is_open:
            if self.is_open:
                raise RuntimeError("the cast store is open but this test may not use it: a second cast cannot be "
                                   "built beside it")
            return None
        if len(connection.atomic_blocks) <= len(self._blocks):
            raise RuntimeError("the cast fixture is used outside the test's own atomic block (ask for `db`)")
        return deep_copy(self._blocks[0].value)

    def layer(self, name: str, build: Callable[[Cast], object]) -> object | None:
        """The layer `name`: `build(cast)` run once in a savepoint on the cast and kept while consecutive tests
        ask for it; a deep copy of what it returned. None when the test's own atomic block is already open
        (or the test may not share the store): the caller then builds it inside the test.

        A test uses one layer at most; each is built on the cast alone, whatever was open before."""
        if not self._shared():
            return None
        depth = next((depth for depth, block in enumerate(self._blocks) if block.name == name), None)
        test_block_open = len(connection.atomic_blocks) > len(self._blocks)
        if depth is not None and (depth == len(self._blocks) - 1 or not test_block_open):
            self._drop_to(depth + 1)
            return deep_copy(self._blocks[depth].value)
        if test_block_open or not self._open():
            return None  # the test's own block is open already
        self._drop_to(1)
        base = self._blocks[0].value
        return deep_copy(self._push(name, lambda: build(deep_copy(base))))


_STORE: CastStore | None = None
builds = 0  # how many times the shared cast was built in this process (a worker), for the curious
_NEXT_ITEM: pytest.Item | None = None


def before_test(item: pytest.Item) -> None:
    global _NEXT_ITEM
    _NEXT_ITEM = item
    if _STORE is not None:
        _STORE.before_test(item)


def start(blocker) -> CastStore:
    """The worker's store, made by the session fixture during the setup of the first test that needs it."""
    global _STORE
    _STORE = CastStore(blocker)
    if _NEXT_ITEM is not None:
        _STORE.before_test(_NEXT_ITEM)
    return _STORE


def stop() -> None:
    global _STORE
    if _STORE is not None:
        _STORE.close()
        _STORE = None

