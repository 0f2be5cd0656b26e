"""The case machine against an independent statement of its rules.

Hypothesis creates cases the ways they arrive (a grid worker's report escalated, kept local or settled at once;
a hotline call; a petition registered from the hotline; a resident's own submission), then attempts random
steps by random people — the cast's nine roles, the resident with the right or a wrong tracking link, the staff
of the other department, the command center of the other district — with the current or a stale version and
with or without the parameters a step needs. `RULES` below is written from domain.md §5 and the product
rules, not read off cases.workflow: for every attempt the service must do exactly what the rules say, and a
refused attempt must leave the case exactly as it was.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import services
from cases.models import Case, CaseEvent, Holiday
from cases.workflow import STEPS
from wudu.errors import Conflict
from wudu.models import IdempotencyKey

from .conftest import key

# ------------------------------------------------------------------------------------------- the rules

STATES = {"local", "self_handled", "reported", "cancelled", "filed", "dispatched", "returned", "handling",
          "extension", "suspended", "fed_back", "awaiting_evaluation", "closed"}
FINISHED = {"self_handled", "cancelled", "closed"}
AT_DEPARTMENT = {"dispatched", "handling", "extension"}
VERDICTS = {"satisfied", "basic", "unsatisfied"}
MAX_EXTENSION_DAYS = 30

# Who may take a step, decided per case:
GRID = "grid staff of the case's grid (grid worker, grid head)"
CENTER = "the command center of the case's district"
DEPARTMENT = "staff of the department the case was last dispatched to"
RESIDENT = "whoever holds the case's tracking link"

# step: (who may take it, {state: next state}, a note is required)
RULES: dict[str, tuple[set[str], dict[str, str], bool]] = {
    "settle": ({GRID}, {"local": "self_handled"}, True),
    "escalate": ({GRID}, {"local": "reported"}, False),
    "accept": ({CENTER}, {"reported": "filed"}, False),
    "cancel": ({CENTER}, {"reported": "cancelled", "filed": "cancelled"}, True),
    "dispatch": ({CENTER}, {"filed": "dispatched", "returned": "dispatched", "suspended": "dispatched"}, False),
    "sign": ({DEPARTMENT}, {"dispatched": "handling"}, False),
    "send_back": ({DEPARTMENT}, {"dispatched": "returned", "handling": "returned"}, True),
    "request_extension": ({DEPARTMENT}, {"handling": "extension"}, True),  # and 1–30 days
    "approve_extension": ({CENTER}, {"extension": "handling"}, False),
    "refuse_extension": ({CENTER}, {"extension": "handling"}, True),
    "suspend": ({DEPARTMENT}, {"handling": "suspended"}, True),
    "feed_back": ({DEPARTMENT}, {"handling": "fed_back"}, True),
    # An ordinary case closes at verification; a petition waits for the petitioner's verdict.
    "verify": ({GRID, CENTER}, {"fed_back": "closed | petition: awaiting_evaluation"}, False),
    "rework": ({GRID, CENTER}, {"fed_back": "handling"}, True),
    # Once per round: an ordinary closed case takes one verdict and stays closed; a petition awaiting its verdict
    # closes on 满意/基本满意 and goes back to the command center (filed, clock cleared) on 不满意.
    "evaluate": ({CENTER, RESIDENT}, {"closed": "closed (ordinary, not yet evaluated)",
                                      "awaiting_evaluation": "closed | unsatisfied: filed"}, False),
    # A reminder to the department while the case is in its hands, as often as needed.
    "urge": ({CENTER}, {"dispatched": "dispatched", "handling": "handling", "extension": "extension"}, False),
    # Any open case, once.
    "supervise": ({CENTER}, {state: state for state in STATES - FINISHED}, False),
}

# The people who try. Each holds (at most) one of the kinds of right above, depending on the case.
ACTORS = ("grid_head", "instructor", "grid_worker", "community_official", "street_official", "district_official",
          "command_center", "department_staff", "system_admin", "resident_token", "resident_wrong_token",
          "other_department_staff", "center_other_district")
DEPARTMENT_OF = {"department_staff": "chengguan@D", "other_department_staff": "huanbao@D"}
CATEGORY_DEPARTMENT = {"city": "chengguan@D", "pollution": "huanbao@D"}


@dataclass
class Model:
    """What the rules say the case is."""

    kind: str
    grid: str
    category: str
    status: str
    department: str | None = None
    supervised: bool = False
    evaluation: str = ""
    clock: bool = False  # dispatched, and not reopened since
    extension_days: int | None = None


@dataclass(frozen=True)
class Params:
    note: str = "情况说明"
    evaluation: str = "satisfied"
    days: int | None = 3
    past_deadline: bool = False


def holds(actor: str, step: str, m: Model) -> bool:
    who = RULES[step][0]
    if actor in ("grid_worker", "grid_head"):
        return GRID in who and m.grid == "G1"  # the cast's grid staff stand at G1
    if actor == "command_center":
        # A petition's verdict is the petitioner's own (the tracking link); staff record ordinary ones only.
        return CENTER in who and not (step == "evaluate" and m.kind == "petition")
    if actor in DEPARTMENT_OF:
        return DEPARTMENT in who and m.department == DEPARTMENT_OF[actor]
    if actor == "resident_token":
        return RESIDENT in who
    return False  # instructor, officials, system admin, wrong link, another district


def next_state(m: Model, step: str, p: Params) -> str | None:
    """The state the step leads to, or None when the rules refuse it for the state or the parameters."""
    _who, moves, note_required = RULES[step]
    if m.status not in moves:
        return None
    if note_required and not p.note.strip():
        return None
    if step == "verify":
        return "awaiting_evaluation" if m.kind == "petition" else "closed"
    if step == "evaluate":
        if p.evaluation not in VERDICTS:
            return None
        if m.kind == "ordinary":
            return "closed" if m.status == "closed" and not m.evaluation else None
        if m.status != "awaiting_evaluation":
            return None
        return "filed" if p.evaluation == "unsatisfied" else "closed"
    if step == "supervise" and m.supervised:
        return None
    if step == "request_extension" and not (p.days is not None and 1 <= p.days <= MAX_EXTENSION_DAYS):
        return None
    if step == "dispatch" and p.past_deadline:
        return None
    return moves[m.status]


def apply(m: Model, step: str, p: Params, new: str) -> None:
    if step == "dispatch":
        m.department, m.clock, m.extension_days = CATEGORY_DEPARTMENT[m.category], True, None
    elif step == "request_extension":
        m.extension_days = p.days
    elif step in ("approve_extension", "refuse_extension"):
        m.extension_days = None
    elif step == "evaluate" and new == "filed":
        m.department, m.clock = None, False
    elif step == "evaluate":
        m.evaluation = p.evaluation
    elif step == "supervise":
        m.supervised = True
    m.status = new


# How a case arrives: (kind, state after creation, events written at creation)
ORIGINS = {
    "patrol_escalated": ("ordinary", "reported", 1),
    "patrol_local": ("ordinary", "local", 1),
    "patrol_settled": ("ordinary", "self_handled", 2),
    "hotline": ("ordinary", "filed", 1),
    "petition": ("petition", "filed", 1),
    "resident": ("ordinary", "reported", 1),
}

# ------------------------------------------------------------------------------------------- the clock


def working_days_after(start: datetime.datetime, days: int, exceptions: dict[datetime.date, bool]) -> datetime.datetime:
    """Monday to Friday, except the Holiday rows (a holiday on a weekday is off, a 调休 weekend is on); the
    deadline keeps the local time of day of its start."""
    local = timezone.localtime(start)
    day = local.date()
    while days:
        day += datetime.timedelta(days=1)
        if exceptions.get(day, day.isoweekday() <= 5):
            days -= 1
    return datetime.datetime.combine(day, local.timetz())


def close_to(a: datetime.datetime, b: datetime.datetime) -> bool:
    return abs(a - b) <= datetime.timedelta(milliseconds=1)


# ------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def center_other_district(cast):
    from grids import services as grid_services
    from tests.cast import PASSWORD

    return grid_services.person_appoint(
        actor=cast.admin, place=cast.place("D2"), role="command_center", username="center_d2",
        real_name="东城指挥中心甲", mobile="13900000005", password=PASSWORD,
    ).user


@pytest.fixture
def people(cast, other_department_staff, center_other_district):
    users = {role: cast.user(role) for role in ACTORS if role in cast.users}
    users["other_department_staff"] = other_department_staff
    users["center_other_district"] = center_other_district
    users["resident_token"] = users["resident_wrong_token"] = None
    return users


def snapshot(pk: int):
    case = Case.objects.get(pk=pk)
    fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    return fields, CaseEvent.objects.filter(case_id=pk).count(), IdempotencyKey.objects.count()


def create(origin: str, category_name: str, grid: str, cast, categories, mobile: str) -> Case:
    category = categories[category_name]
    worker, center = cast.user("grid_worker"), cast.user("command_center")
    text = "楼道堆放杂物，堵塞消防通道"
    if origin.startswith("patrol"):
        level = "center" if origin == "patrol_escalated" else "grid"
        return services.case_create(
            actor=worker, source="patrol", grid=cast.place("G1"), category=category, description=text, key=key(),
            level=level, settled_result="已劝导清理" if origin == "patrol_settled" else "")
    if origin in ("hotline", "petition"):
        return services.case_create(
            actor=center, source="hotline", grid=cast.place(grid), category=category, description=text, key=key(),
            kind="petition" if origin == "petition" else "ordinary", resident_mobile=mobile)
    return services.case_submit_public(category=category, description=text, resident_mobile=mobile, key=key(),
                                       grid=cast.place(grid))


# ------------------------------------------------------------------------------------------- the property

VALID = Params()
MOBILES = itertools.count(1)  # a resident's own number per example (the daily limit per number is not the point)
notes = st.sampled_from(["情况说明"] * 6 + ["", "   "])
# Steps that end the case early or turn it back: taken less often when following the rules.
DETOURS = {"settle", "cancel", "send_back", "suspend", "rework", "refuse_extension", "supervise"}
verdicts = st.sampled_from(["satisfied", "basic", "unsatisfied", "", "excellent"])
day_counts = st.sampled_from([3, 1, 30, None, 0, 31])
versions = st.sampled_from(["current", "current", "current", "current", "stale", "future"])


class Trial:
    """One case followed through attempted steps: every attempt is checked against the rules and the invariants."""

    def __init__(self, origin: str, category_name: str, grid: str, *, cast, categories, people):
        self.people = people
        self.exceptions = dict(Holiday.objects.values_list("date", "is_workday"))
        kind, first_state, self.events = ORIGINS[origin]
        case = create(origin, category_name, grid, cast, categories, mobile=f"137{next(MOBILES):08d}")
        assert (case.status, case.kind) == (first_state, kind)
        self.pk = case.pk
        self.m = Model(kind=kind, grid=grid, category=category_name, status=first_state)
        check_invariants(self.pk, self.m, self.events, self.exceptions)

    def attempt(self, step: str, actor: str, p: Params = VALID, which_version: str = "current",
                use_key: bool = True) -> bool:
        m = self.m
        before, before_events, before_keys = snapshot(self.pk)
        current = before["version"]
        version = {"current": current, "stale": current - 1, "future": current + 1}[which_version]
        kwargs = dict(note=p.note)
        if step == "evaluate":
            kwargs["evaluation"] = p.evaluation
        if step == "request_extension":
            kwargs["days"] = p.days
        if p.past_deadline:
            kwargs["deadline"] = timezone.now() - datetime.timedelta(hours=1)
        if actor == "resident_token":
            kwargs["token"] = before["tracking_token"]
        if actor == "resident_wrong_token":
            kwargs["token"] = before["tracking_token"][::-1] + "x"

        allowed = holds(actor, step, m)
        new = next_state(m, step, p)
        attempt = f"{step} by {actor} at {m.status} (version {which_version}, {p})"
        try:
            result = services.case_act(actor=self.people[actor], case=Case.objects.get(pk=self.pk), action=step,
                                       version=version, key=key() if use_key else None, **kwargs)
        except (PermissionDenied, ValidationError) as error:
            assert not (allowed and new is not None and which_version == "current"), f"{attempt} refused: {error!r}"
            if not allowed:
                assert isinstance(error, PermissionDenied), f"{attempt}: {error!r}"
            elif new is not None:
                assert isinstance(error, Conflict), f"{attempt}: {error!r}"
            else:
                assert isinstance(error, ValidationError), f"{attempt}: {error!r}"
                if which_version == "current":
                    assert not isinstance(error, Conflict), f"{attempt}: {error!r}"
            assert snapshot(self.pk) == (before, before_events, before_keys), f"{attempt} changed the case"
            taken = False
        else:
            assert allowed and new is not None and which_version == "current", f"{attempt} was taken"
            assert result.status == new, attempt
            assert result.version == current + 1
            apply(m, step, p, new)
            self.events += 1
            check_step(self.pk, step, before, m, self.exceptions)
            taken = True
        check_invariants(self.pk, m, self.events, self.exceptions)
        return taken


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_step_does_what_the_rules_say_or_changes_nothing(data, cast, categories, people):
    origin = data.draw(st.sampled_from(sorted(ORIGINS)), label="origin")
    category_name = data.draw(st.sampled_from(["city", "pollution"]), label="category")
    grid = "G1" if origin.startswith("patrol") else data.draw(st.sampled_from(["G1", "G1b"]), label="grid")
    trial = Trial(origin, category_name, grid, cast=cast, categories=categories, people=people)

    for _ in range(data.draw(st.integers(1, 15), label="steps")):
        # Four attempts in five follow the rules, preferring the way forward so that cases get deep into the
        # loop; the rest are anything.
        candidates = [(s, a) for s in sorted(STEPS) for a in ACTORS
                      if holds(a, s, trial.m) and next_state(trial.m, s, VALID) is not None
                      for _ in range(1 if s in DETOURS else 4)]
        if candidates and data.draw(st.integers(0, 4), label="guided") < 4:
            step, actor = data.draw(st.sampled_from(candidates), label="step, actor")
        else:
            step = data.draw(st.sampled_from(sorted(STEPS)), label="step")
            actor = data.draw(st.sampled_from(ACTORS), label="actor")
        p = Params(note=data.draw(notes, label="note"), evaluation=data.draw(verdicts, label="evaluation"),
                   days=data.draw(day_counts, label="days"),
                   past_deadline=step == "dispatch" and data.draw(st.integers(0, 4), label="past") == 0)
        trial.attempt(step, actor, p, data.draw(versions, label="version"), data.draw(st.booleans(), label="key"))


def test_a_petition_goes_round_until_the_petitioner_is_satisfied(cast, categories, people):
    """The rare path spelled out, under the same checks: 不满意 twice, then 基本满意."""
    trial = Trial("petition", "pollution", "G1b", cast=cast, categories=categories, people=people)
    unsatisfied = Params(evaluation="unsatisfied")
    for verdict in (unsatisfied, unsatisfied, Params(evaluation="basic")):
        supervised = trial.m.supervised  # once per case: the first round only
        assert trial.attempt("supervise", "command_center") is not supervised
        for step, actor in (("dispatch", "command_center"), ("sign", "other_department_staff"),
                            ("request_extension", "other_department_staff"), ("approve_extension", "command_center"),
                            ("feed_back", "other_department_staff"), ("verify", "command_center")):
            assert trial.attempt(step, actor)
        assert trial.m.status == "awaiting_evaluation"
        for actor in ("resident_wrong_token", "grid_worker", "department_staff", "other_department_staff"):
            assert not trial.attempt("evaluate", actor, verdict)
        assert not trial.attempt("evaluate", "resident_token", verdict, "stale")
        assert trial.attempt("evaluate", "resident_token", verdict)
        # After the verdict the evaluation cannot be given again; a reopened petition has no department.
        assert not trial.attempt("evaluate", "resident_token", Params(evaluation="satisfied"))
        assert not trial.attempt("sign", "other_department_staff")
    assert trial.m.status == "closed" and Case.objects.get(pk=trial.pk).evaluation == "basic"


def check_step(pk: int, step: str, before: dict, m: Model, exceptions) -> None:
    """What a successful step did to the clock, checked against the rules (not the code that computes it)."""
    case = Case.objects.get(pk=pk)
    last = CaseEvent.objects.filter(case_id=pk).latest("id")
    assert (last.action, last.from_status, last.to_status) == (step, before["status"], case.status)
    if step == "dispatch":
        category = case.category
        assert case.dispatched_at == last.at and case.department == category.department
        if category.limit_unit == "hours":
            assert case.deadline == case.dispatched_at + datetime.timedelta(hours=category.time_limit)
        else:
            assert case.deadline == working_days_after(case.dispatched_at, category.time_limit, exceptions)
        assert last.deadline == case.deadline and last.department_id == case.department_id
    elif step == "approve_extension":
        assert case.dispatched_at == before["dispatched_at"]
        assert case.deadline == working_days_after(before["deadline"], before["extension_days"], exceptions)
        assert last.deadline == case.deadline
    elif step == "evaluate" and case.status == "filed":
        pass  # a reopened petition's clock is cleared (checked with the invariants)
    else:
        # Only a dispatch or an approved extension moves the clock.
        assert (case.dispatched_at, case.deadline, case.due_soon_at) == (
            before["dispatched_at"], before["deadline"], before["due_soon_at"]), step


def check_invariants(pk: int, m: Model, expected_events: int, exceptions) -> None:
    case = Case.objects.get(pk=pk)
    events = list(CaseEvent.objects.filter(case_id=pk).order_by("id"))
    assert len(events) == expected_events
    assert (events[0].action, events[0].from_status) == ("create", "")
    for previous, event in itertools.pairwise(events):
        assert event.from_status == previous.to_status, (previous, event)
    assert events[-1].to_status == case.status == m.status
    assert case.status in STATES
    if case.kind == "petition" and case.status == "closed":
        assert case.evaluation in ("satisfied", "basic")
    assert case.supervised == m.supervised and case.evaluation == m.evaluation
    assert case.extension_days == (m.extension_days if case.status == "extension" else None)
    # The clock runs from a dispatch until the case closes; a reopened petition waits for a new dispatch.
    assert (case.dispatched_at is not None) == m.clock
    assert (case.deadline is not None) == m.clock
    assert (case.due_soon_at is not None) == m.clock
    if m.clock:
        assert case.deadline > case.dispatched_at
        assert close_to(case.due_soon_at, case.dispatched_at + (case.deadline - case.dispatched_at) * 4 / 5)
        last_dispatch = [e for e in events if e.action == "dispatch"][-1]
        assert case.dispatched_at == last_dispatch.at
    if case.status in AT_DEPARTMENT:
        assert case.department_id is not None and case.deadline is not None
    if m.department is not None:
        assert case.department.short_code + "@D" == m.department


# ------------------------------------------------------------------------------------------- focused cases


def _closed_case(cast, categories, *, kind="ordinary"):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    case = services.case_create(actor=center, source="hotline", grid=cast.place("G1"), category=categories["city"],
                                description="噪声扰民", key=key(), kind=kind, resident_mobile="13812345678")
    for user, action, note in ((center, "dispatch", ""), (dept, "sign", ""), (dept, "feed_back", "已处理"),
                               (center, "verify", "")):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    return case


def test_a_second_evaluation_is_refused_and_changes_nothing(cast, categories):
    case = _closed_case(cast, categories)
    case = services.case_act(actor=None, case=case, action="evaluate", version=case.version, key=key(),
                             token=case.tracking_token, evaluation="basic")
    before = snapshot(case.pk)
    for actor, token in ((None, case.tracking_token), (cast.user("command_center"), "")):
        with pytest.raises(ValidationError) as refused:
            services.case_act(actor=actor, case=Case.objects.get(pk=case.pk), action="evaluate",
                              version=case.version, key=key(), token=token, evaluation="unsatisfied")
        assert not isinstance(refused.value, Conflict)
        assert snapshot(case.pk) == before


@pytest.mark.parametrize("kind", ["ordinary", "petition"])
def test_an_evaluation_with_a_wrong_or_missing_token_is_refused_and_changes_nothing(cast, categories, kind):
    case = _closed_case(cast, categories, kind=kind)
    before = snapshot(case.pk)
    for token in ("", "guessed", case.tracking_token[:-1], case.reference):
        with pytest.raises(PermissionDenied):
            services.case_act(actor=None, case=Case.objects.get(pk=case.pk), action="evaluate",
                              version=case.version, key=key(), token=token, evaluation="unsatisfied")
        assert snapshot(case.pk) == before


def test_people_of_another_district_cannot_take_any_step_and_nothing_changes(cast, categories,
                                                                              center_other_district):
    from grids import services as grid_services

    outsiders = [center_other_district, grid_services.person_appoint(
        actor=cast.admin, place=cast.place("D2"), role="department_staff", username="dept_d2", real_name="东城城管甲",
        mobile="13900000006", department=cast.departments["chengguan@D2"]).user]
    center, dept = cast.user("command_center"), cast.user("department_staff")
    reported = services.case_submit_public(category=categories["city"], description="路灯不亮", key=key(),
                                           resident_mobile="13812345679", grid=cast.place("G1"))
    filed = services.case_create(actor=center, source="hotline", grid=cast.place("G1"), category=categories["city"],
                                 description="井盖缺失", key=key())
    dispatched = services.case_act(actor=center, case=services.case_create(
        actor=center, source="hotline", grid=cast.place("G1"), category=categories["city"], description="占道经营",
        key=key()), action="dispatch", version=1, key=key())
    handling = services.case_act(actor=dept, case=Case.objects.get(pk=dispatched.pk), action="sign",
                                 version=dispatched.version, key=key())
    cases = [reported, filed, Case.objects.get(pk=handling.pk), _closed_case(cast, categories)]
    for case in cases:
        before = snapshot(case.pk)
        for user in outsiders:
            for step in STEPS:
                with pytest.raises(PermissionDenied):
                    services.case_act(actor=user, case=Case.objects.get(pk=case.pk), action=step,
                                      version=before[0]["version"], key=key(), note="越权尝试", days=3,
                                      evaluation="satisfied")
        assert snapshot(case.pk) == before
