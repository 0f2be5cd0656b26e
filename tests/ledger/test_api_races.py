"""A phone's queue sends the same record many times at once: every copy is answered 201 with the first record.

Real parallel requests on PostgreSQL: each thread has its own connection and its own client, released at the
same instant by a barrier (tests/test_concurrency.py's `_race`). Before the fix a few of twenty copies were
answered 400 "具有 Client id 的 走访记录 已存在": the model's uniqueness check saw a copy committed after the
service looked for one, so the phone marked a saved record as failed.
"""

import uuid

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from grids.models import Role, User
from ledger import services as ledger
from ledger.models import FindingCategory, Patrol, SpotCheck, Visit
from tests.cast import build_cast
from tests.test_concurrency import _race
from wudu.models import IdempotencyKey
from wudu.writes import create_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]

N = 20


def _clients(user: User, n: int = N) -> list[APIClient]:
    """One client per thread, each with its own copy of the user (grants are cached on the user object)."""
    clients = []
    for _i in range(n):
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user.pk))
        clients.append(client)
    return clients


def _all_201_with_one_body(results):
    assert all(kind == "ok" for kind, _ in results), results
    statuses = [answer.status_code for _, answer in results]
    bodies = [answer.json() for _, answer in results]
    assert statuses == [201] * len(results), [(s, b) for s, b in zip(statuses, bodies, strict=True) if s != 201]
    assert all(body == bodies[0] for body in bodies), bodies
    return bodies[0]


def test_twenty_copies_of_a_visit_at_once_are_all_answered_201_with_one_record():
    cast = build_cast()
    # A transactional test before this one on the same worker may have flushed the migration's seed rows.
    FindingCategory.objects.get_or_create(code="safety", defaults={"name": "安全隐患"})
    worker = cast.user(Role.GRID_WORKER)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4())
    key = str(uuid.uuid4())
    body = {"patrol": patrol.pk, "client_id": key, "visit_type": "patrol", "category": "safety",
            "finding": "楼道堆放杂物", "settled": False}
    clients = _clients(worker)

    results = _race(lambda i: clients[i].post(reverse("api:visit-list"), body, format="json"), n=N)

    answer = _all_201_with_one_body(results)
    assert Visit.objects.filter(client_id=key).count() == Visit.objects.count() == 1
    assert answer["id"] == Visit.objects.get().pk and answer["client_id"] == key


def test_twenty_copies_of_a_patrol_start_at_once_are_all_answered_201_with_one_patrol():
    cast = build_cast()
    worker = cast.user(Role.GRID_WORKER)
    key = str(uuid.uuid4())
    clients = _clients(worker)

    results = _race(lambda i: clients[i].post(reverse("api:patrol-list"), {"grid": cast.place("G1").code,
                                                                          "client_id": key}, format="json"), n=N)

    answer = _all_201_with_one_body(results)
    assert Patrol.objects.count() == 1 and answer["id"] == Patrol.objects.get().pk and answer["is_open"] is True


def test_twenty_copies_of_a_covert_check_at_once_are_all_answered_201_with_one_check():
    cast = build_cast()
    key = str(uuid.uuid4())
    body = {"grid": cast.place("G1").code, "client_id": key, "checked_on": timezone.localdate().isoformat(),
            "findings": "巡查记录与实际不符", "score": "82.5"}
    clients = _clients(cast.user(Role.STREET_OFFICIAL))

    results = _race(lambda i: clients[i].post(reverse("api:spot-check-list"), body, format="json"), n=N)

    answer = _all_201_with_one_body(results)
    assert SpotCheck.objects.count() == 1 and answer["id"] == SpotCheck.objects.get().pk


def test_the_patrol_pages_queue_gets_201_for_every_copy_of_a_start_and_a_visit():
    """The phone page's offline queue (HTML views answering JSON) posts to the same services."""
    cast = build_cast()
    worker = cast.user(Role.GRID_WORKER)
    clients = []
    for _i in range(10):
        client = Client(HTTP_ACCEPT="application/json")
        client.force_login(worker)
        clients.append(client)
    patrol_key, visit_key = str(uuid.uuid4()), str(uuid.uuid4())

    started = _race(lambda i: clients[i].post(reverse("patrol:start"), {"client_id": patrol_key,
                                                                        "grid": cast.place("G1").pk}), n=10)
    assert [answer.status_code for _, answer in started] == [201] * 10, [(a.content, a.get("Location")) for _, a in started]
    patrol = Patrol.objects.get()
    assert {answer.json()["id"] for _, answer in started} == {patrol.pk}

    visited = _race(lambda i: clients[i].post(reverse("patrol:visit", args=[patrol.pk]), {
        "client_id": visit_key, "visit_type": "patrol", "finding": "井盖缺失"}), n=10)
    assert [answer.status_code for _, answer in visited] == [201] * 10, [(a.content, a.get("Location")) for _, a in visited]
    assert {answer.json()["id"] for _, answer in visited} == {Visit.objects.get().pk}


def test_create_once_inside_an_outer_transaction_hands_every_copy_the_first_record():
    """The kernel rule under the race: the loser's insert waits on the unique index, fails inside its own
    savepoint (the outer transaction stays usable) and reads the winner's record once it is committed."""
    cast = build_cast()
    actor = cast.user(Role.GRID_HEAD)
    key = str(uuid.uuid4())
    grid_pk = cast.place("G1").pk

    def create(i):
        with transaction.atomic():  # a caller's own transaction around the service
            household = create_once(key=key, actor=actor, model=ledger.Household, create=lambda: (
                ledger.Household.objects.create(grid_id=grid_pk, address="并发路 1 号", room=str(i))))
            # The outer transaction goes on after the savepoint: a later statement must still work.
            assert ledger.Household.objects.filter(pk=household.pk).exists()
            return household.pk

    results = _race(create, n=8)
    assert all(kind == "ok" for kind, _ in results), results
    assert len({pk for _, pk in results}) == 1
    assert ledger.Household.objects.filter(address="并发路 1 号").count() == 1
    assert IdempotencyKey.objects.filter(key=key).count() == 1


def test_two_people_registering_the_same_address_at_once_get_one_household_and_a_message():
    """Different submissions (different keys) for one address: one is saved, the other is told why (not 500)."""
    cast = build_cast()
    head = cast.user(Role.GRID_HEAD)
    clients = _clients(head, 6)
    body = {"grid": cast.place("G1").code, "address": "同时路 8 号", "unit": "1单元", "room": "101"}

    results = _race(lambda i: clients[i].post(reverse("api:household-list"), body, format="json",
                                              HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), n=6)

    assert all(kind == "ok" for kind, _ in results), results
    statuses = sorted(answer.status_code for _, answer in results)
    assert statuses == [201] + [400] * 5, [(a.status_code, a.content) for _, a in results]
    refused = [answer.json() for _, answer in results if answer.status_code == 400]
    assert all("已登记" in str(body) or "已经存在" in str(body) for body in refused), refused
    assert ledger.Household.objects.filter(address="同时路 8 号").count() == 1


def test_two_people_registering_the_same_site_at_once_get_one_site_and_a_message():
    cast = build_cast()
    clients = _clients(cast.user(Role.GRID_HEAD), 6)
    body = {"grid": cast.place("G1").code, "kind": "shop", "name": "同时便利店"}

    results = _race(lambda i: clients[i].post(reverse("api:site-list"), body, format="json",
                                              HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), n=6)

    statuses = sorted(answer.status_code for _, answer in results)
    assert statuses == [201] + [400] * 5, [(a.status_code, a.content) for _, a in results]
    assert ledger.Site.objects.filter(name="同时便利店").count() == 1
