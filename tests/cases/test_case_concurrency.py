"""Cases under real parallel connections (PostgreSQL): of two people stepping on the same case at once one wins
and the other is told to reload; a doubled submission saves once; reference numbers stay consecutive; and the
database itself refuses to rewrite the audit trail."""

import re
import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from cases import services
from cases.models import Case, CaseEvent, LimitUnit, Status
from grids import services as grid_services
from tests.cast import PASSWORD, build_cast
from tests.test_concurrency import _race
from wudu.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]


def key() -> str:
    return str(uuid.uuid4())


def _setup():
    cast = build_cast()
    city = services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)
    return cast, city


def _hotline(cast, category, **extra) -> Case:
    return services.case_create(actor=cast.user("command_center"), source="hotline", grid=cast.place("G1"),
                                category=category, description="占道经营", key=key(), **extra)


def _one_wins(results):
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    winner = next(i for i, (kind, _) in enumerate(results) if kind == "ok")
    error = results[1 - winner][1]
    assert isinstance(error, Conflict), results
    assert "刷新" in error.messages[0]  # "…请刷新页面查看最新情况后再操作": reload and look again
    return winner


@pytest.mark.django_db(transaction=True)
def test_two_command_center_users_dispatch_the_same_case_at_once_one_is_told_to_reload():
    cast, city = _setup()
    second = grid_services.person_appoint(
        actor=cast.admin, place=cast.place("D"), role="command_center", username="center_b", real_name="指挥中心乙",
        mobile="13900000007", password=PASSWORD).user
    case = _hotline(cast, city)
    users, version = [cast.user("command_center"), second], case.version

    def dispatch(i):
        return services.case_act(actor=users[i], case=Case.objects.get(pk=case.pk), action="dispatch",
                                 version=version, key=key())

    winner = _one_wins(_race(dispatch))
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.version == version + 1
    events = CaseEvent.objects.filter(case=case, action="dispatch")
    assert events.count() == 1 and events.get().actor == users[winner]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("start", ["dispatched", "handling"])
def test_the_department_returning_while_the_center_supervises_one_wins(start):
    cast, city = _setup()
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = _hotline(cast, city)
    case = services.case_act(actor=center, case=case, action="dispatch", version=case.version, key=key())
    if start == "handling":
        case = services.case_act(actor=dept, case=case, action="sign", version=case.version, key=key())
    version, events = case.version, case.events.count()
    moves = [(dept, "send_back", "不属于本部门职责"), (center, "supervise", "请加快处理")]

    def act(i):
        user, action, note = moves[i]
        return services.case_act(actor=user, case=Case.objects.get(pk=case.pk), action=action, version=version,
                                 key=key(), note=note)

    winner = _one_wins(_race(act))
    case.refresh_from_db()
    assert case.version == version + 1 and case.events.count() == events + 1
    if moves[winner][1] == "send_back":
        assert (case.status, case.supervised, case.returns) == (Status.RETURNED, False, 1)
    else:
        assert (case.status, case.supervised, case.returns) == (start, True, 0)
    assert case.events.latest("id").action == moves[winner][1]


@pytest.mark.django_db(transaction=True)
def test_the_same_step_posted_twice_at_once_with_one_key_is_taken_once():
    cast, city = _setup()
    center = cast.user("command_center")
    case = _hotline(cast, city)
    k, version = key(), case.version

    def dispatch(i):
        return services.case_act(actor=center, case=Case.objects.get(pk=case.pk), action="dispatch",
                                 version=version, key=k)

    results = _race(dispatch)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert {value.status for _, value in results} == {Status.DISPATCHED}
    assert {value.version for _, value in results} == {version + 1}
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_residents_submission_sent_twice_at_once_makes_one_case():
    cast, city = _setup()
    k = key()

    def submit(i):
        return services.case_submit_public(category=city, description="路灯不亮", resident_mobile="13812340000",
                                           key=k, grid=cast.place("G1"), client_ip="203.0.113.9")

    results = _race(submit)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert results[0][1].pk == results[1][1].pk
    assert Case.objects.filter(resident_mobile="13812340000").count() == 1
    assert CaseEvent.objects.filter(case_id=results[0][1].pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_cases_created_at_once_get_distinct_consecutive_reference_numbers():
    cast, city = _setup()
    _hotline(cast, city)  # today's counter row exists: the racers contend on its update

    def create(i):
        return _hotline(cast, city, resident_mobile=f"1381234{i:04d}")

    results = _race(create, n=8)
    assert all(kind == "ok" for kind, _ in results), results
    references = sorted(value.reference for _, value in results)
    assert all(re.fullmatch(r"\d{13}", r) for r in references)
    assert len({r[:8] for r in references}) == 1  # the same day
    numbers = [int(r[8:]) for r in references]
    assert numbers == list(range(numbers[0], numbers[0] + 8)) and numbers[0] == 2


@pytest.mark.django_db(transaction=True)
def test_cases_created_at_once_on_a_fresh_day_number_from_one():
    cast, city = _setup()
    results = _race(lambda i: _hotline(cast, city), n=8)
    assert all(kind == "ok" for kind, _ in results), results
    assert sorted(int(value.reference[8:]) for _, value in results) == list(range(1, 9))


@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE cases_caseevent SET note = 'rewritten' WHERE id = %s",
    "UPDATE cases_caseevent SET to_status = 'closed' WHERE id = %s",
    "DELETE FROM cases_caseevent WHERE id = %s",
])
def test_the_database_refuses_to_rewrite_a_case_event(sql):
    cast, city = _setup()
    case = _hotline(cast, city)
    event = case.events.get()
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    # Nor through the ORM's bulk paths, which skip the model's save() and delete().
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    stored = CaseEvent.objects.get(pk=event.pk)
    assert (stored.note, stored.to_status, stored.action) == (event.note, event.to_status, "create")
