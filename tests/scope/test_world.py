"""The matrix's world is a layer of the cast store (tests/cast_store.py): built once per worker, each test in a
savepoint above it with a copy of it; a test whose transaction opened first builds its own."""

import pytest

from cases.models import Case
from grids.models import User

NAMES = ("甲", "乙", "丙")  # three: the first builds the world, the next ones reuse it


@pytest.mark.parametrize("name", NAMES)
def test_what_a_test_does_to_the_world_is_undone(world, db, name):
    witness = world.witnesses["G1"]
    assert witness.real_name == "见证人G1" and User.objects.get(pk=witness.pk).real_name == "见证人G1"
    assert Case.objects.filter(description__startswith="改").count() == 0
    witness.real_name = f"改{name}"
    User.objects.filter(pk=witness.pk).update(real_name=f"改{name}")
    Case.objects.filter(grid=world.cast.places["G1"]).update(description=f"改{name}")
    world.witnesses.pop("G2")


def test_a_test_whose_transaction_opened_first_builds_its_own_world(db, request):
    world = request.getfixturevalue("world")
    assert User.objects.filter(username__startswith="witness_").count() == len(world.witnesses)
    assert User.objects.filter(username="root").count() == 1
