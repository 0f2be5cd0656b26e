"""Real parallel connections on PostgreSQL: of two concurrent edits one wins, a doubled create saves once."""

import threading

import pytest
from django.db import connection, connections

from grids import services
from grids.models import Place
from tests.cast import build_cast
from wudu.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]


def _race(worker, n=2):
    """Run `worker(i)` in n threads released at the same instant; each thread has its own connection."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = ("ok", worker(i))
        except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_people_editing_the_same_grid_one_wins_one_is_told_to_reload():
    cast = build_cast()
    grid_pk = cast.place("G1").pk

    def edit(i):
        place = Place.objects.get(pk=grid_pk)
        return services.place_update(actor=cast.admin, place=place, expected_version=1, name=f"并发改名{i}")

    results = _race(edit)
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict)
    winner = next(value for kind, value in results if kind == "ok")
    grid = Place.objects.get(pk=grid_pk)
    assert grid.name == winner.name and grid.version == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_create_sent_twice_at_once_saves_one_record():
    cast = build_cast()
    key = "7d0f4a1e-9c1b-4b8e-8f00-2f6f3b9a1c55"
    parent_pk = cast.place("C2").pk

    def create(i):
        parent = Place.objects.get(pk=parent_pk)
        return services.place_create(actor=cast.admin, parent=parent, name="并发新网格", idempotency_key=key)

    results = _race(create)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert results[0][1].pk == results[1][1].pk
    assert Place.objects.filter(name="并发新网格").count() == 1


@pytest.mark.django_db(transaction=True)
def test_codes_stay_unique_when_grids_are_created_at_once():
    cast = build_cast()
    parent_pk = cast.place("C2").pk

    def create(i):
        parent = Place.objects.get(pk=parent_pk)
        return services.place_create(actor=cast.admin, parent=parent, name=f"同时网格{i}")

    results = _race(create, n=4)
    assert all(kind == "ok" for kind, _ in results), results
    codes = sorted(value.code for _, value in results)
    parent_code = cast.place("C2").code
    assert codes == [f"{parent_code}{n:03d}" for n in range(2, 6)]
