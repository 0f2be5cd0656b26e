"""One person, one duty, under parallel requests: two security administrators granting two duties to the same
person at the same instant — one wins, the other is told (PostgreSQL: real parallel connections)."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from grids import services
from grids.models import Membership, Role, User
from tests.cast import build_cast

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]


@pytest.mark.django_db(transaction=True)
def test_two_duties_granted_at_the_same_instant_leave_the_person_with_one():
    cast = build_cast()
    security = cast.user(Role.SECURITY_ADMIN)
    second = services.person_appoint(actor=cast.admin, place=cast.place("D"), role=Role.SECURITY_ADMIN,
                                     username="anquan2", real_name="安全管理员乙", mobile="13900000009").user
    person = User.objects.create_user(username=f"new_{uuid.uuid4().hex[:8]}", real_name="新人员")
    district_pk = cast.place("D").pk
    barrier = threading.Barrier(2)
    results = [None, None]

    def grant(i, actor, role):
        try:
            barrier.wait()
            results[i] = ("ok", services.membership_create(
                actor=User.objects.get(pk=actor.pk), user=User.objects.get(pk=person.pk), role=role,
                place=cast.place("D").__class__.objects.get(pk=district_pk)))
        except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grant, args=(0, security, Role.SYSTEM_ADMIN)),
               threading.Thread(target=grant, args=(1, second, Role.AUDIT_ADMIN))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and error.error_dict["role"][0].code == "second_duty"
    assert Membership.objects.filter(user=person).count() == 1
