"""The queue tabs' counts come from the counter table (cases.counters): they must be exactly what counting the
cases says, for every queue of every role, after any sequence of steps, under parallel steps, and after a repair."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import counters, selectors, services, timers
from cases.models import Alert, Case, CaseCategory, CaseCounter, LimitUnit, Source
from grids import services as grid_services
from tests.cast import PASSWORD, appoint_multi_role, build_cast
from tests.test_concurrency import _race
from wudu.errors import Conflict

from .conftest import key
from .test_provisional_calendar import at, category, dispatch_at, enter_2027

QUEUES = (selectors.CENTER_QUEUES, selectors.DEPARTMENT_QUEUES)


def _patrol(cast, categories, grid="G1", category="city"):
    # The cast's grid worker walks G1; elsewhere the command center registers the call (filed, not reported).
    if grid != "G1":
        return _hotline(cast, categories, grid=grid, category=category)
    return services.case_create(actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place(grid),
                                category=categories[category], description="井盖缺失", key=key())


def _hotline(cast, categories, grid="G1", category="city"):
    return services.case_create(actor=cast.user("command_center"), source=Source.HOTLINE, grid=cast.place(grid),
                                category=categories[category], description="占道经营", key=key())


def _world(cast, categories):
    """Cases in every open queue, in two departments, two streets and the other district; one closed; one due
    soon and one overdue (explicit deadlines: the calendar's working days would make the test depend on the
    weekday)."""
    center, dept, admin = cast.user("command_center"), cast.user("department_staff"), cast.admin
    now = timezone.now()
    later = now + datetime.timedelta(days=10)

    def act(case, actor, action, **inputs):
        if action == "dispatch":
            inputs.setdefault("deadline", later)
        return services.case_act(actor=actor, case=case, action=action, version=case.version, key=key(),
                                 note="说明", **inputs)

    def taken(grid="G1"):
        return act(act(_hotline(cast, categories, grid=grid), center, "dispatch"), dept, "sign")

    _patrol(cast, categories)  # reported
    _hotline(cast, categories, grid="G3")  # filed, the other street
    _hotline(cast, categories)  # filed
    act(act(_hotline(cast, categories), center, "dispatch"), dept, "send_back")
    act(_hotline(cast, categories), center, "dispatch")  # to sign
    act(taken(), center, "supervise")
    act(taken(), dept, "request_extension", days=3)
    act(taken(), dept, "suspend")
    act(taken(), dept, "feed_back")
    act(act(taken(), dept, "feed_back"), center, "verify")  # closed: counted nowhere
    act(_hotline(cast, categories, category="pollution"), center, "dispatch",
        deadline=now + datetime.timedelta(hours=1))  # the other department's; overdue at the timers' run
    act(_hotline(cast, categories, grid="G2"), center, "dispatch",
        deadline=now + datetime.timedelta(hours=2, minutes=12))  # due soon at the timers' run (80 %: 1 h 46)
    elsewhere = CaseCategory.objects.create(district=cast.place("D2"), code="shirong", name="市容环境",
                                            department=cast.departments["chengguan@D2"], time_limit=3,
                                            limit_unit=LimitUnit.WORKING_DAYS)
    center_d2 = grid_services.person_appoint(
        actor=admin, place=cast.place("D2"), role="command_center", username="center_d2", real_name="东城指挥中心甲",
        mobile="13900000005", password=PASSWORD).user
    act(services.case_create(actor=center_d2, source=Source.HOTLINE, grid=cast.place("G4"), category=elsewhere,
                             description="别区", key=key()), center_d2, "dispatch")
    timers.case_timers_run(now=now + datetime.timedelta(hours=2))
    return center_d2


def test_every_role_sees_the_same_tab_counts_from_the_counters_as_from_the_cases(cast, categories,
                                                                                 other_department_staff):
    center_d2 = _world(cast, categories)
    people = [*cast.users.values(), *appoint_multi_role(cast).values(), cast.admin, center_d2, other_department_staff]
    for user in people:
        assert counters.rows_visible_to(user) is not None, user  # no role falls back to counting the cases
        for queues in QUEUES:
            counted = {name: q for name, q in queues.items() if name not in selectors.UNCOUNTED}
            assert selectors.queue_counts(user, queues) == selectors.live_queue_counts(user, counted), user
    center = selectors.queue_counts(cast.user("command_center"), selectors.CENTER_QUEUES)
    assert center == {"new": 1, "dispatch": 2, "returned": 1, "extension": 1, "verify": 1, "due_soon": 1,
                      "overdue": 1, "suspended": 1, "supervised": 1}
    assert selectors.queue_counts(cast.user("department_staff"), selectors.DEPARTMENT_QUEUES) == {
        "sign": 2, "handling": 2, "overdue": 0, "suspended": 1}
    assert selectors.queue_counts(center_d2, selectors.CENTER_QUEUES)["due_soon"] == 0
    assert selectors.queue_counts(other_department_staff, selectors.DEPARTMENT_QUEUES)["overdue"] == 1
    assert counters.differences() == {}


def test_a_scope_the_counters_cannot_answer_is_counted_from_the_cases(cast, categories, monkeypatch):
    _hotline(cast, categories)
    # A grant that reads strictly below its place (no role's read does today): the cases answer.
    monkeypatch.setattr(counters.scope, "read_reach", lambda user, resource: [(cast.place("D").code, True, None)])
    assert counters.rows_visible_to(cast.user("command_center")) is None
    assert selectors.queue_counts(cast.user("command_center"), selectors.CENTER_QUEUES)["dispatch"] == 1


# ---------------------------------------------------------------------------------------------- random steps

ACTIONS = ("accept", "cancel", "dispatch", "sign", "send_back", "request_extension", "approve_extension",
           "refuse_extension", "suspend", "feed_back", "verify", "rework", "evaluate", "urge", "supervise", "escalate",
           "settle")
INPUTS = {"request_extension": {"days": 2}, "evaluate": {"evaluation": "satisfied"}}


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_after_any_steps_the_counters_are_a_recount_of_the_cases(data, cast, categories):
    admin, cases = cast.admin, []
    for _ in range(data.draw(st.integers(3, 12), label="steps")):
        move = data.draw(st.sampled_from(["create", "create", "timers", *ACTIONS]) if cases else st.just("create"))
        if move == "create":
            how = data.draw(st.sampled_from([_patrol, _hotline]))
            cases.append(how(cast, categories, grid=data.draw(st.sampled_from(["G1", "G2", "G3"])),
                             category=data.draw(st.sampled_from(["city", "pollution"]))))
        elif move == "timers":
            timers.case_timers_run(now=timezone.now() + datetime.timedelta(hours=data.draw(st.integers(1, 200))))
        else:
            case = Case.objects.get(pk=data.draw(st.sampled_from(cases)).pk)
            inputs = dict(INPUTS.get(move, {}))
            if move == "evaluate":
                inputs["evaluation"] = data.draw(st.sampled_from(["satisfied", "unsatisfied"]))
            try:
                services.case_act(actor=admin, case=case, action=move, version=case.version, key=key(),
                                  note="说明", **inputs)
            except (ValidationError, PermissionDenied, Conflict):
                pass  # a step the case is not in the state for: nothing moves
        assert counters.differences() == {}, move


def test_a_due_soon_mark_lifted_by_the_official_calendar_leaves_the_due_soon_tab(cast):
    case = dispatch_at(cast, category(cast, 15), at(2026, 12, 24))
    services.case_timers_run(now=at(2027, 1, 11, 9))
    center = cast.user("command_center")
    assert selectors.queue_counts(center, selectors.CENTER_QUEUES)["due_soon"] == 1
    enter_2027(now=at(2027, 1, 11, 10))  # the recounted deadline moves the due-soon point out
    case.refresh_from_db()
    assert case.alert == Alert.NONE and selectors.queue_counts(center, selectors.CENTER_QUEUES)["due_soon"] == 0
    assert counters.differences() == {}


# ---------------------------------------------------------------------------------------------- recount, repair


def test_cases_recount_reports_drift_and_repair_restores_the_counts(cast, categories):
    case = _hotline(cast, categories)
    Case.objects.filter(pk=case.pk).update(supervised=True)  # around the services: the counters do not know
    # Its rows without supervision hold one case too many, those with supervision one too few: five prefixes each.
    with pytest.raises(CommandError, match="10 rows differ"):
        call_command("cases_recount")
    center = cast.user("command_center")
    assert selectors.queue_counts(center, selectors.CENTER_QUEUES)["supervised"] == 0
    call_command("cases_recount", "--repair")
    assert counters.differences() == {}
    assert selectors.queue_counts(center, selectors.CENTER_QUEUES)["supervised"] == 1


def test_the_migration_counts_the_cases_already_there(cast, categories):
    _patrol(cast, categories)
    _hotline(cast, categories, category="pollution")
    CaseCounter.objects.all().delete()
    importlib.import_module("cases.migrations.0011_case_counters").fill(apps, None)
    assert counters.differences() == {} and CaseCounter.objects.exists()


# ---------------------------------------------------------------------------------------------- parallel steps


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_parallel_steps_on_cases_of_one_grid_lose_no_count():
    cast = build_cast()
    center, dept = cast.user("command_center"), cast.user("department_staff")
    city = services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)

    def hotline():
        return services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), category=city,
                                    description="占道经营", key=key())

    filed = [hotline(), hotline()]
    held = [services.case_act(actor=center, case=hotline(), action="dispatch", version=1, key=key()) for _ in "ab"]
    # Four steps at once on the same five prefixes: two enter the "dispatched" rows, two leave them.
    moves = [(center, filed[0], "dispatch", ""), (center, filed[1], "dispatch", ""), (dept, held[0], "sign", ""),
             (dept, held[1], "send_back", "不属于本部门职责")]

    def step(i):
        actor, case, action, note = moves[i]
        return services.case_act(actor=actor, case=Case.objects.get(pk=case.pk), action=action,
                                 version=case.version, key=key(), note=note)

    results = _race(step, n=4)
    assert [kind for kind, _value in results] == ["ok"] * 4, results
    assert counters.differences() == {}
    counts = selectors.queue_counts(center, selectors.CENTER_QUEUES)
    assert (counts["dispatch"], counts["returned"]) == (0, 1)
    assert selectors.queue_counts(dept, selectors.DEPARTMENT_QUEUES)["sign"] == 2
