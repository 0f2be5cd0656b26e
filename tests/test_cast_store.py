"""The cast is built once per worker and each test runs in a savepoint above it (tests/cast_store.py): what one
test writes or changes in memory never reaches another, whatever the order; transactional tests and tests without
the cast start from an empty database outside any transaction; a test whose transaction opened before the cast
could be shared builds its own."""

import pytest
from django.db import connection

from grids import services
from grids.models import Place, User
from tests.cast import build_cast

NAMES = ("甲", "乙")


@pytest.mark.parametrize("name", NAMES)
def test_a_tests_writes_and_changes_in_memory_do_not_reach_the_next(cast, name):
    assert Place.objects.filter(name__startswith="隔离").count() == 0, "another test's place is still there"
    assert cast.admin.real_name == "超级管理员" and cast.place("G1").name == "第1网格"
    services.place_create(actor=cast.admin, parent=cast.place("G1"), name=f"隔离{name}")
    cast.admin.real_name = f"改{name}"
    cast.place("G1").name = f"改{name}"
    cast.users.pop("grid_worker")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.django_db
def test_a_marked_test_gets_the_cast_and_its_writes_are_undone(cast, name):
    """pytest-django's marker may open the test's transaction before the cast's fixtures run."""
    assert User.objects.filter(username="root").count() == 1
    assert cast.admin.real_name == "超级管理员" and "grid_worker" in cast.users
    assert connection.in_atomic_block
    cast.admin.real_name = f"改{name}"
    User.objects.filter(pk=cast.admin.pk).update(real_name=f"改{name}")


def test_the_shared_cast_is_the_cast(cast, shared_cast):
    assert shared_cast is cast


def test_a_test_without_the_cast_finds_an_empty_database(db):
    assert not User.objects.exists() and not Place.objects.exists()


def test_a_test_whose_transaction_opened_first_builds_its_own_cast(db, request):
    """Asked for late (not among the test's fixtures), the cast cannot be shared: it is built inside the test."""
    cast = request.getfixturevalue("cast")
    assert User.objects.filter(username="root").get().pk == cast.admin.pk
    assert Place.objects.filter(code="4110").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_builds_its_cast_outside_any_transaction(cast):
    assert not connection.in_atomic_block
    assert User.objects.filter(username="root").count() == 1


def test_building_the_cast_again_beside_the_shared_one_fails(cast):
    """The shared cast is really in the database under the test (not a copy of objects that are not)."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        build_cast()
