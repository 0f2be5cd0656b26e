"""A hand-worked October 2026 in the cast's district (the figures are worked out on paper in test_measures.py).

Every case is hotline-registered by the command center and dispatched to 城市管理 with an explicit deadline,
at 10:00 local time on the days named, except K, L, M (grid worker's reports)."""

import datetime
import uuid
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Kind, Level, LimitUnit, Source


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def key() -> str:
    return str(uuid.uuid4())


@dataclass
class October:
    cast: object
    cases: dict[str, Case] = field(default_factory=dict)

    def case(self, name: str) -> Case:
        return Case.objects.get(pk=self.cases[name].pk)


@pytest.fixture
def category(cast):
    return services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)


@pytest.fixture
def october(cast, category):
    center, dept, worker = cast.user("command_center"), cast.user("department_staff"), cast.user("grid_worker")
    world = October(cast)

    def hotline(name, grid, dispatched, deadline, kind=Kind.ORDINARY):
        case = services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place(grid), category=category,
                                    description=f"事件{name}", key=key(), kind=kind,
                                    now=dispatched - datetime.timedelta(hours=1))
        if deadline is not None:
            services.case_dispatch(actor=center, case=case, version=case.version, deadline=deadline, key=key(),
                                   now=dispatched)
        world.cases[name] = case
        return case

    def step(name, entry, when, **extra):
        case = Case.objects.get(pk=world.cases[name].pk)
        return entry(case=case, version=case.version, key=key(), now=when, **extra)

    def handled(name, signed, fed_back, verified=None, actor=worker):
        step(name, lambda **k: services.case_sign(actor=dept, **k), signed)
        step(name, lambda **k: services.case_feed_back(actor=dept, note="已处理", **k), fed_back)
        if verified:
            step(name, lambda **k: services.case_verify(actor=actor, **k), verified)

    # A: on time, closed on time; the resident is satisfied.
    hotline("A", "G1", at(10, 5), at(10, 10))
    handled("A", at(10, 5, 11), at(10, 8), at(10, 9))
    step("A", lambda **k: services.case_evaluate(actor=None, token=world.case("A").tracking_token,
                                                 evaluation="satisfied", **k), at(10, 10))
    # B: fed back and closed late; the resident is not satisfied.
    hotline("B", "G1", at(10, 12), at(10, 15))
    handled("B", at(10, 12, 11), at(10, 20), at(10, 21))
    step("B", lambda **k: services.case_evaluate(actor=None, token=world.case("B").tracking_token,
                                                 evaluation="unsatisfied", **k), at(10, 22))
    # C: dispatched, never handled: open and overdue at the end of October.
    hotline("C", "G1b", at(10, 20), at(10, 25))
    # D: due in September, still open on 1 October (carried over), handled and closed late in October.
    hotline("D", "G1", at(9, 20), at(9, 25))
    handled("D", at(9, 20, 11), at(10, 3), at(10, 4))
    # E: due in November: not in October.
    hotline("E", "G1", at(10, 28), at(11, 5))
    # F: due and closed in September: not in October.
    hotline("F", "G1", at(9, 10), at(9, 15))
    handled("F", at(9, 10, 11), at(9, 13), at(9, 14))
    # G: fed back, reworked, fed back again on time, closed on time.
    hotline("G", "G2", at(10, 2), at(10, 9))
    handled("G", at(10, 2, 11), at(10, 5))
    step("G", lambda **k: services.case_rework(actor=center, note="不彻底", **k), at(10, 6))
    step("G", lambda **k: services.case_feed_back(actor=dept, note="已返工", **k), at(10, 7))
    step("G", lambda **k: services.case_verify(actor=center, **k), at(10, 8))
    # H: an approved extension; fed back after the extended deadline, not yet verified.
    hotline("H", "G1", at(10, 12), at(10, 14))
    step("H", lambda **k: services.case_sign(actor=dept, **k), at(10, 12, 11))
    step("H", lambda **k: services.case_request_extension(actor=dept, days=2, note="需采购", **k), at(10, 13))
    step("H", lambda **k: services.case_approve_extension(actor=center, **k), at(10, 13, 11))
    step("H", lambda **k: services.case_feed_back(actor=dept, note="已处理", **k), at(10, 28))
    # I: a hotline call cancelled (never dispatched).
    hotline("I", "G1", at(10, 5), None)
    step("I", lambda **k: services.case_cancel(actor=center, note="重复来电", **k), at(10, 5, 11))
    # J: the other street (丁庄街道): one case, on time.
    hotline("J", "G3", at(10, 10), at(10, 12))
    handled("J", at(10, 10, 11), at(10, 11), at(10, 11, 12), actor=center)
    # N: suspended (挂账): open, not handled.
    hotline("N", "G1", at(10, 14), at(10, 20))
    step("N", lambda **k: services.case_sign(actor=dept, **k), at(10, 14, 11))
    step("N", lambda **k: services.case_suspend(actor=dept, note="待规划", **k), at(10, 16))
    # P: a petition closed in September, reopened by 不满意 on 2 October, dispatched again, handled on time,
    # awaiting the petitioner's new verdict at the end of October.
    hotline("P", "G1", at(9, 1), at(9, 10), kind=Kind.PETITION)
    handled("P", at(9, 1, 11), at(9, 5), at(9, 6))
    step("P", lambda **k: services.case_evaluate(actor=None, token=world.case("P").tracking_token,
                                                 evaluation="unsatisfied", **k), at(10, 2))
    step("P", lambda **k: services.case_dispatch(actor=center, deadline=at(10, 13), **k), at(10, 3))
    handled("P", at(10, 3, 11), at(10, 9), at(10, 10))
    # K, L, M: the grid worker's own reports: K escalated and cancelled as invalid, L escalated and accepted,
    # M settled in the grid.
    for name, level, result, when in (("K", Level.CENTER, "", at(10, 6)), ("L", Level.CENTER, "", at(10, 7)),
                                      ("M", Level.GRID, "已劝离", at(10, 8))):
        world.cases[name] = services.case_create(
            actor=worker, source=Source.PATROL, grid=cast.place("G1"), category=category, description=f"上报{name}",
            key=key(), level=level, settled_result=result, now=when)
    step("K", lambda **k: services.case_cancel(actor=center, note="不属实", **k), at(10, 6, 11))
    step("L", lambda **k: services.case_accept(actor=center, **k), at(10, 7, 11))
    return world
