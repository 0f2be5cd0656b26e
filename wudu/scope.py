"""The scope gate: the one place that decides what a user may list, read, create and change.

A user's *grants* (a role at a place, and for department staff a department) come from registered *grant
providers* (`register_grant_provider`): the grids app's memberships today, an inspection team's dated coverage
next. The roles themselves are defined here (`Role`), once. Every resource that users see is registered below
with the path from the model to the unified code of the place it belongs to, and, per role, how far that role
reaches for reading and for writing:

- ``SUBTREE``: the grant's place and everything below it (code prefix);
- ``BELOW``: strictly below the grant's place (officials manage what is under them, not their own level);
- ``DISTRICT``: the whole district of the grant (reference data every role of the district needs).

Pages, API, exports and the admin all start from ``Model.objects.visible_to(user)`` and ask
``can_change`` / ``can_create`` before writing; nothing filters scope by hand. Invisible objects look
missing (404, `access`); visible but not writable is refused (403). A write that must say under which role it
was done asks for the one grant that allows it (`grant_to_create`, `grant_to_act`) and records that grant's role.

Seeing a record is not seeing all of it: a policy's ``personal_fields`` name the fields (a person's own
mobile, a party member's mobile) that only some of the readers see, and how far. Every surface asks
``may_see_field`` (lists annotate the answer with ``with_field_access``, so it costs no query per row).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.db.models.lookups import StartsWith
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reach(enum.Enum):
    SUBTREE = "subtree"
    BELOW = "below"
    DISTRICT = "district"


DISTRICT_CODE_LENGTH = 6


class Role(models.TextChoices):
    """Every role of the platform: the one list (memberships store these values; policies are keyed by them)."""

    GRID_HEAD = "grid_head", _("网格长")
    INSTRUCTOR = "instructor", _("党建指导员")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_OFFICIAL = "community_official", _("社区干部")
    STREET_OFFICIAL = "street_official", _("街道干部")
    DISTRICT_OFFICIAL = "district_official", _("区级干部")
    COMMAND_CENTER = "command_center", _("指挥中心")
    DEPARTMENT_STAFF = "department_staff", _("部门工作人员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    # Inspection (巡察, the inspections app): the district's inspection office holds a membership at the district;
    # a team member's grants come from their team's coverage, dated by the round (never from a membership).
    INSPECTION_OFFICE = "inspection_office", _("巡察办")
    INSPECTOR = "inspector", _("巡察组成员")


GRID_ROLES = (Role.GRID_HEAD, Role.INSTRUCTOR, Role.GRID_WORKER)
GRID_STAFF = (Role.GRID_WORKER, Role.GRID_HEAD)  # who walk the grid: patrols, visits, reports from it
OFFICIALS = (Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL, Role.DISTRICT_OFFICIAL)
EVERY_ROLE = tuple(Role)
# 三权分立 (wudu/duties.py): the system, security and audit administrators. The security administrator reads the
# places, people (without their private fields), memberships and departments it grants roles in, and nothing
# else; the audit administrator reads the audit only. Neither reaches the district's data (cases, households …).
ADMINISTRATORS = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
NO_DATA_ROLES = (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
# The inspection office and the teams read what inspection needs (rounds, findings, rectification, and the places
# and people they inspect), not the district's ledgers and cases: they are not data roles either.
INSPECTION_ROLES = (Role.INSPECTION_OFFICE, Role.INSPECTOR)
DATA_ROLES = tuple(role for role in Role if role not in NO_DATA_ROLES and role not in INSPECTION_ROLES)


@dataclass(frozen=True)
class Grant:
    """One role at one place (and, for department staff, in one department), possibly for a period.

    `valid_from`/`valid_until` (both inclusive, local dates) bound a dated grant, e.g. an inspection team's
    coverage of a community for the weeks of a round; a grant outside its dates is not in `grants_for`.
    `provider` names where it came from (the provider's `name`).
    """

    role: str
    place_id: int
    code: str
    department_id: int | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    provider: str = "membership"

    @property
    def district_code(self) -> str:
        return self.code[:DISTRICT_CODE_LENGTH]

    def valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until)


# ---------------------------------------------------------------------------------------------- grant providers


class GrantProvider(Protocol):
    """Where grants come from. An app registers one from its AppConfig.ready (`register_grant_provider`).

    - `name`: short and unique ("membership", "inspection_team"); grants carry it as `Grant.provider`.
    - `grants_of(user)`: every grant the user holds, in a stable order, with one query at most (the gate calls
      it once per request and caches the result on the user). A dated grant sets `valid_from`/`valid_until`;
      the gate drops those not valid today, so a provider may return all of a user's periods.
    - optionally `grant_rows(user)`: the same grants as an unordered queryset of `GRANT_ROW` tuples (role,
      place id, code, department id, valid from, valid until). The gate reads the rows of every provider that
      offers them in one query (UNION ALL), so a new provider costs no query per request.
    - `holders(prefix, strictly_below)`: a queryset of the ids (`values("user_id")` or similar) of the people
      who hold a grant of this provider at the place with this code prefix or below it (strictly below when
      asked): people are visible where they serve. A dated provider answers with those whose period includes
      today.
    """

    name: str

    def grants_of(self, user) -> Iterable[Grant]: ...

    def holders(self, prefix: str, strictly_below: bool) -> models.QuerySet: ...


# The columns of a provider's `grant_rows`: role, place id, place code, department id, valid from, valid until.
GRANT_ROW = ("role", "place_id", "code", "department_id", "valid_from", "valid_until")


_PROVIDERS: dict[str, GrantProvider] = {}


def register_grant_provider(provider: GrantProvider) -> GrantProvider:
    """Add a source of grants (idempotent by name: registering again replaces it)."""
    _PROVIDERS[provider.name] = provider
    return provider


def unregister_grant_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def grant_providers() -> tuple[GrantProvider, ...]:
    return tuple(_PROVIDERS.values())


# ---------------------------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class Policy:
    """How one resource is scoped. `path` leads from the model to its place's code."""

    path: str
    read: dict[str, Reach]
    write: dict[str, Reach] = field(default_factory=dict)
    # For resources not anchored on a single place (people): builds the visibility Q for a code prefix
    # (and whether strictly below it).
    q_for_prefix: Callable[[str, bool], Q] | None = None
    # Department staff reach only the records of their own department (cases dispatched to it).
    department_path: str | None = None
    # Personal records (notifications): visible to their owner only, whatever the grants.
    owner_path: str | None = None
    # Personal fields: field → {role: reach}. A reader of the record sees such a field only where one of
    # these grants reaches the record, or when the record describes the reader (`self_path` leads to them).
    personal_fields: dict[str, dict[str, Reach]] = field(default_factory=dict)
    self_path: str | None = None
    # Every signed-in user reads the record that describes them (`self_path`), grants or none (a person's own).
    reader_sees_self: bool = False
    # Creating one makes a child of the place it is created at (a place under its parent): the new record sits
    # strictly below that place, so any grant whose reach includes the parent reaches the child.
    creates_child: bool = False
    # Covert records (spot checks): never seen or written by anyone holding a grid role at the record's grid,
    # whatever other grant they hold above it.
    hidden_from_own_grid: bool = False


def _subtree_read(extra: dict[str, Reach] | None = None) -> dict[str, Reach]:
    return {**{role: Reach.SUBTREE for role in DATA_ROLES}, **(extra or {})}


def _officials_write(extra: dict[str, Reach] | None = None) -> dict[str, Reach]:
    return {**{role: Reach.BELOW for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE, **(extra or {})}


_PARTY_WRITE = {**{role: Reach.SUBTREE for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE,
                Role.INSTRUCTOR: Reach.SUBTREE}


def _read_except_departments() -> dict[str, Reach]:
    return {role: Reach.SUBTREE for role in DATA_ROLES if role != Role.DEPARTMENT_STAFF}


def _grid_staff_write() -> dict[str, Reach]:
    return {role: Reach.SUBTREE for role in GRID_ROLES}


def _person_q(prefix: str, strictly_below: bool = False) -> Q:
    """People are visible where they serve: the holders of a grant (of any provider) at or below the prefix."""
    parts = [Q(pk__in=provider.holders(prefix, strictly_below)) for provider in grant_providers()]
    return reduce(or_, parts) if parts else Q(pk__in=[])


# Who sees a person's own mobile, e-mail and photo (their work phone is the membership's, seen by whoever
# sees the membership): the person themself, the officials above them (strictly: peers at the same office
# use work phones), the command center (it dispatches and calls) and the system administrator. Grid staff see
# their colleagues' photos (posted on the grid's public notice anyway), never their mobiles; department staff
# see names, roles and work phones only.
_PERSON_PRIVATE = {**{role: Reach.BELOW for role in OFFICIALS}, Role.COMMAND_CENTER: Reach.SUBTREE,
                   Role.SYSTEM_ADMIN: Reach.SUBTREE}
_PERSON_FIELDS = {
    "mobile": _PERSON_PRIVATE,
    "email": _PERSON_PRIVATE,
    "photo": {**_PERSON_PRIVATE, **{role: Reach.SUBTREE for role in GRID_ROLES}},
}
# The party-member register is the party organisation's business: the grid's instructor and the officials
# above it (and the system administrator) see members' mobiles; other readers see names only, and department
# staff do not read the register at all.
_PARTY_MEMBER_FIELDS = {
    "mobile": {Role.INSTRUCTOR: Reach.SUBTREE, **{role: Reach.SUBTREE for role in OFFICIALS},
               Role.SYSTEM_ADMIN: Reach.SUBTREE},
}

# A volunteer's mobile: the community office and the officials above the volunteer's home, the grid's instructor
# (who organises the grid's volunteers) and the system administrator call volunteers; other readers see names.
_VOLUNTEER_FIELDS = {
    "mobile": {Role.INSTRUCTOR: Reach.SUBTREE, **{role: Reach.SUBTREE for role in OFFICIALS},
               Role.SYSTEM_ADMIN: Reach.SUBTREE},
}
# Volunteers and their hours are registered, recorded and countersigned by the office of the place (the community
# or street office that registers a volunteer organisation and answers for what it certifies), the grid's
# instructor for volunteers living in the grid, and the system administrator.
_VOLUNTEER_WRITE = {**{role: Reach.SUBTREE for role in OFFICIALS}, Role.INSTRUCTOR: Reach.SUBTREE,
                    Role.SYSTEM_ADMIN: Reach.SUBTREE}
_HOURS_WRITE = {**{role: Reach.SUBTREE for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE}


# The lecturers' pool is kept by the officials of a place (a community keeps its own lecturers and lesson requests)
# and the system administrator.
_LECTURER_WRITE = {**{role: Reach.SUBTREE for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE}
_LECTURER_FIELDS = {"mobile": _LECTURER_WRITE}


def _line_of(path: str) -> Callable[[str, bool], Q]:
    """Records of a place at or below the prefix, or above it (a bulletin of a community, a street or the
    district names the units below it: each of them reads it, and objects to its own line)."""

    def q(prefix: str, strictly_below: bool = False) -> Q:
        return Q(**{f"{path}__startswith": prefix}) | Q(StartsWith(Value(prefix), F(path)))

    return q


# What the security administrator reads to grant roles: the places, the people who serve there, their memberships.
_GRANTOR_READ = {Role.SECURITY_ADMIN: Reach.SUBTREE}
# What inspection reads beyond its own records: the places it inspects and the people serving there (to name a
# task's responsible person), without their private fields.
_INSPECTION_READ = {role: Reach.SUBTREE for role in INSPECTION_ROLES}
# Inspection (巡察) and rectification (整改), the inspections app. Findings and their tasks are read by the
# inspection office (the whole district), a team member where their team's dated coverage reaches, the officials of
# the place and above (a community sees its own findings) and the system administrator; a department reads the tasks
# it owns (department_path). Findings are recorded by the teams and the office; who takes which step of a task
# (progress by the owner unit, verification by the team, never the owner) is inspections.workflow's table.
_INSPECTION_FINDING_READ = {Role.INSPECTION_OFFICE: Reach.SUBTREE, Role.INSPECTOR: Reach.SUBTREE,
                            **{role: Reach.SUBTREE for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE}

_CENTER_WRITES = {Role.COMMAND_CENTER: Reach.SUBTREE, Role.SYSTEM_ADMIN: Reach.SUBTREE}


# The policy table. A new resource joins the gate (and the generated scope matrix) by adding a line here.
POLICIES: dict[str, Policy] = {
    "place": Policy(path="code", read=_subtree_read({**_GRANTOR_READ, **_INSPECTION_READ}), write=_officials_write({Role.GRID_HEAD: Reach.BELOW}),
                    creates_child=True),
    "person": Policy(path="", read=_subtree_read({**_GRANTOR_READ, **_INSPECTION_READ}), q_for_prefix=_person_q, personal_fields=_PERSON_FIELDS,
                     self_path="pk", reader_sees_self=True),
    # Roles are granted by the officials below them and by the security administrator, not by the system
    # administrator (三权分立); the administrators' own roles only by the security administrator (grids.services).
    "membership": Policy(path="place__code", read=_subtree_read({**_GRANTOR_READ, **_INSPECTION_READ}),
                         write={**{role: Reach.BELOW for role in OFFICIALS}, Role.SECURITY_ADMIN: Reach.SUBTREE}),
    "department": Policy(
        path="district__code",
        read={**{role: Reach.DISTRICT for role in (*DATA_ROLES, *INSPECTION_ROLES)}, Role.SECURITY_ADMIN: Reach.DISTRICT},
        write={Role.DISTRICT_OFFICIAL: Reach.SUBTREE, Role.SYSTEM_ADMIN: Reach.SUBTREE},
    ),
    "partner": Policy(path="grid__code", read=_subtree_read(), write=_officials_write({Role.GRID_HEAD: Reach.SUBTREE})),
    # A community's own party organisation (社区党委, 党总支) is the community's: its officials keep it, register its
    # members and record its meetings (reach SUBTREE, their own place included); a grid's, its instructor too.
    "party_org": Policy(path="place__code", read=_subtree_read(), write=_PARTY_WRITE),
    "party_member": Policy(
        path="organization__place__code", read=_read_except_departments(), write=_PARTY_WRITE,
        personal_fields=_PARTY_MEMBER_FIELDS, self_path="user_id",
    ),
    # Volunteers are read where they live (home__code); hours where the recording organisation is registered
    # (谁组织谁记录: organization__place__code, not the venue, so that an organisation's hours stay with the office
    # that certifies them wherever it served).
    "volunteer": Policy(path="home__code", read=_read_except_departments(), write=_VOLUNTEER_WRITE,
                        personal_fields=_VOLUNTEER_FIELDS, self_path="user_id"),
    "service_hours": Policy(path="organization__place__code", read=_read_except_departments(), write=_HOURS_WRITE),
    # The lecturers' pool (宣讲团): read by everyone in the subtree of the lecturer's home, kept by the officials there;
    # the mobile only for those who assign and call (the officials, the system administrator) and the lecturer.
    "lecturer": Policy(path="home__code", read=_subtree_read(), write=_LECTURER_WRITE, personal_fields=_LECTURER_FIELDS,
                       self_path="user_id"),
    # A lesson request (点单) of a community: read there and above (not by departments), taken through its loop by
    # the officials of the community and above; the requester's mobile for them only.
    "lesson_request": Policy(path="community__code", read=_read_except_departments(), write=_LECTURER_WRITE,
                             personal_fields={"requester_mobile": _LECTURER_WRITE}),
    # 三会一课 and 主题党日 of a community's or a grid's party organisation: recorded by the grid's instructor and the
    # officials of the place and above; the party's business, so departments do not read them.
    "branch_meeting": Policy(path="organization__place__code", read=_read_except_departments(), write=_PARTY_WRITE),
    # The grid's register and ledger: the grid's own staff and the levels above; departments see cases only.
    "household": Policy(path="grid__code", read=_read_except_departments(), write=_officials_write(_grid_staff_write())),
    "site": Policy(path="grid__code", read=_read_except_departments(), write=_officials_write(_grid_staff_write())),
    "patrol": Policy(
        path="grid__code", read=_read_except_departments(),
        write={Role.GRID_WORKER: Reach.SUBTREE, Role.GRID_HEAD: Reach.SUBTREE, Role.SYSTEM_ADMIN: Reach.SUBTREE},
    ),
    "visit": Policy(
        path="grid__code", read=_read_except_departments(),
        write={Role.GRID_WORKER: Reach.SUBTREE, Role.GRID_HEAD: Reach.SUBTREE, Role.SYSTEM_ADMIN: Reach.SUBTREE},
    ),
    "daily_report": Policy(path="place__code", read=_read_except_departments()),
    # Cases: everyone above the grid reads the cases of their subtree; a department only what is (or was)
    # dispatched to it. Who may perform which transition is cases.workflow's table, checked through here.
    "case": Policy(
        path="grid__code", read=_subtree_read(), department_path="department_id",
        write={**{role: Reach.BELOW for role in OFFICIALS}, Role.GRID_WORKER: Reach.SUBTREE, Role.GRID_HEAD: Reach.SUBTREE,
               Role.COMMAND_CENTER: Reach.SUBTREE},
    ),
    "case_category": Policy(
        path="district__code", read={role: Reach.DISTRICT for role in (*DATA_ROLES, *INSPECTION_ROLES)},
        write={Role.COMMAND_CENTER: Reach.SUBTREE, Role.SYSTEM_ADMIN: Reach.SUBTREE},
    ),
    "notification": Policy(path="", read={}, owner_path="user"),
    # One's exports (wudu.exports): the owner's only (the API narrows a superuser's to their own as well).
    "export_job": Policy(path="", read={}, owner_path="owner"),
    # Bulletins and rankings: read by the units at, below and named in them; built and published by the command
    # center. Objections are read with their bulletin (the audit trail of its figures); who may file one is the
    # unit of the line (bulletins.services), who settles it the command center.
    "bulletin": Policy(path="place__code", read=_subtree_read(), q_for_prefix=_line_of("place__code"),
                       write=_CENTER_WRITES),
    "objection": Policy(path="bulletin__place__code", read=_subtree_read(),
                        q_for_prefix=_line_of("bulletin__place__code"), write=_CENTER_WRITES),
    # Certificates of volunteer service (谁记录谁证明): read below the issuing organisation's place (departments
    # do not), issued and revoked by the officials of that place and above, for the organisations registered there.
    "certificate": Policy(path="organization__place__code", read=_read_except_departments(),
                          write={**{role: Reach.SUBTREE for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE}),
    # Outreach events (活动) at their venue (a street, a community or a grid): read by every data role of the subtree;
    # recorded by the officials of the venue's community, street or district (their own place included: a
    # community holds its own events), by a grid's party-building instructor (党建指导员) at the grid, and by the
    # system administrator. Grid heads and workers take part; they do not publish (outreach/services/events.py).
    "event": Policy(path="venue__code", read=_subtree_read(),
                    write={**{role: Reach.SUBTREE for role in OFFICIALS}, Role.INSTRUCTOR: Reach.SUBTREE,
                           Role.SYSTEM_ADMIN: Reach.SUBTREE}),
    # Volunteer organisations (志愿服务组织) registered at the district, a street or a community: read along the line
    # (at, below and above the reader's place: the district's organisation lectures in every community, whose people
    # name it as an event's organiser); registered and kept by the officials there and above, and the system
    # administrator.
    "volunteer_org": Policy(path="place__code", read=_subtree_read(), q_for_prefix=_line_of("place__code"),
                            write={**{role: Reach.SUBTREE for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE}),
    # A round of inspection (its teams and their coverage): its name and dates are read across the district by the
    # office, the teams and the officials (the inspected units); planned and staffed by the inspection office.
    "inspection_round": Policy(
        path="district__code",
        read={Role.INSPECTION_OFFICE: Reach.DISTRICT, Role.INSPECTOR: Reach.DISTRICT,
              **{role: Reach.DISTRICT for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.DISTRICT},
        write={Role.INSPECTION_OFFICE: Reach.SUBTREE}),
    "finding": Policy(path="place__code", read=_INSPECTION_FINDING_READ,
                      write={Role.INSPECTION_OFFICE: Reach.SUBTREE, Role.INSPECTOR: Reach.SUBTREE}),
    "rectification": Policy(
        path="finding__place__code", department_path="owner_department_id",
        read={**_INSPECTION_FINDING_READ, Role.DEPARTMENT_STAFF: Reach.SUBTREE},
        write={Role.INSPECTION_OFFICE: Reach.SUBTREE, Role.INSPECTOR: Reach.SUBTREE,
               **{role: Reach.SUBTREE for role in OFFICIALS}, Role.DEPARTMENT_STAFF: Reach.SUBTREE}),
    # Community services (affairs): the catalogue is public (the resident pages read it without the gate); staff
    # read the district's, the officials keep the items of their place and below. An application is read by its
    # handling unit (the place, or the department) and the levels above, and by the grid staff who applied on a
    # resident's behalf (帮办代办, `on_behalf_of`); the applicant's name and mobile only by the handling unit
    # itself (affairs.selectors.sees_personal_data), a finer rule than a reach.
    "service_item": Policy(path="place__code", read={role: Reach.DISTRICT for role in DATA_ROLES},
                           write={**{role: Reach.SUBTREE for role in OFFICIALS}, Role.SYSTEM_ADMIN: Reach.SUBTREE}),
    "application": Policy(
        path="unit_place__code", department_path="department_id", self_path="on_behalf_of_id", reader_sees_self=True,
        read={**{role: Reach.SUBTREE for role in OFFICIALS}, Role.COMMAND_CENTER: Reach.SUBTREE,
              Role.SYSTEM_ADMIN: Reach.SUBTREE, Role.DEPARTMENT_STAFF: Reach.SUBTREE},
        write={**{role: Reach.SUBTREE for role in OFFICIALS}, Role.DEPARTMENT_STAFF: Reach.SUBTREE,
               Role.SYSTEM_ADMIN: Reach.SUBTREE},
    ),
    # Covert checks are seen by the levels above the grid only, never by the grid's own staff (not even by one
    # of them who also holds an office above the grid).
    "spot_check": Policy(
        path="grid__code", hidden_from_own_grid=True,
        read={**{role: Reach.SUBTREE for role in OFFICIALS}, Role.COMMAND_CENTER: Reach.SUBTREE,
              Role.SYSTEM_ADMIN: Reach.SUBTREE},
        write={**{role: Reach.BELOW for role in OFFICIALS}, Role.COMMAND_CENTER: Reach.SUBTREE,
               Role.SYSTEM_ADMIN: Reach.SUBTREE},
    ),
}


def grants_for(user) -> tuple[Grant, ...]:
    """The user's grants valid today, from every provider, read once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_wudu_grants", None)
    if cached is None:
        today = timezone.localdate()
        cached = tuple(grant for grant in _all_grants(user) if grant.valid_on(today))
        user._wudu_grants = cached
    return cached


def _all_grants(user) -> list[Grant]:
    """Every provider's grants, in the providers' order: the table-backed ones (`grant_rows`) in one query."""
    providers = grant_providers()
    by_rows = [provider for provider in providers if hasattr(provider, "grant_rows")]
    rows: dict[str, list[Grant]] = {provider.name: [] for provider in by_rows}
    if by_rows:
        querysets = [provider.grant_rows(user).annotate(_provider=Value(provider.name)).order_by()
                     for provider in by_rows]
        union = querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
        for *values, name in union:
            rows[name].append(Grant(*values, provider=name))
    out: list[Grant] = []
    for provider in providers:
        if provider.name in rows:
            out.extend(sorted(rows[provider.name], key=lambda g: (g.valid_from or datetime.date.min, g.code,
                                                                  g.role, g.department_id or 0)))
        else:
            out.extend(provider.grants_of(user))
    return out


def forget_grants(user) -> None:
    """Drop the cached grants (after a grant of this user changed)."""
    if hasattr(user, "_wudu_grants"):
        del user._wudu_grants


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


# What a superuser without a fitting grant acts under: recorded as the system administrator.
SUPERUSER_GRANT = Grant(role=Role.SYSTEM_ADMIN, place_id=0, code="", provider="superuser")


def _prefix(grant: Grant, reach: Reach) -> str:
    return grant.district_code if reach is Reach.DISTRICT else grant.code


def _code_within(code: str, grant: Grant, reach: Reach, *, child: bool = False) -> bool:
    """Does the grant, reaching this far, reach the place with this code (or, `child`, a new child of it)?"""
    prefix = _prefix(grant, reach)
    if not code.startswith(prefix):
        return False
    if child:
        return True  # the child sits strictly below `code`, hence strictly below the prefix
    return len(code) > len(prefix) if reach is Reach.BELOW else True


def _policy(resource: str) -> Policy:
    try:
        return POLICIES[resource]
    except KeyError:
        raise LookupError(f"{resource!r} is not registered with the scope gate") from None


def _prefixes(user, rules: dict[str, Reach]) -> list[tuple[str, bool, int | None]]:
    """(code prefix, strictly-below, department) triples the user reaches under these rules."""
    out = []
    for grant in grants_for(user):
        reach = rules.get(grant.role)
        if reach is not None:
            out.append((_prefix(grant, reach), reach is Reach.BELOW, grant.department_id))
    return out


def _q(policy: Policy, prefixes: list[tuple[str, bool, int | None]]) -> Q:
    parts = []
    for prefix, strictly_below, department_id in prefixes:
        if policy.q_for_prefix is not None:
            parts.append(policy.q_for_prefix(prefix, strictly_below))
            continue
        q = Q(**{f"{policy.path}__startswith": prefix})
        if strictly_below:
            q &= ~Q(**{policy.path: prefix})
        if policy.department_path and department_id is not None:
            q &= Q(**{policy.department_path: department_id})
        parts.append(q)
    return reduce(or_, parts)


def _own_grid_codes(user, policy: Policy) -> list[str]:
    """Codes of the grids where the user holds a grid role, when the policy hides records from them."""
    if not policy.hidden_from_own_grid:
        return []
    return [grant.code for grant in grants_for(user) if grant.role in GRID_ROLES]


def _without_own_grids(queryset: models.QuerySet, user, policy: Policy) -> models.QuerySet:
    for code in _own_grid_codes(user, policy):
        queryset = queryset.exclude(**{f"{policy.path}__startswith": code})
    return queryset


def _in_own_grid(user, policy: Policy, code: str) -> bool:
    return any(code.startswith(own) for own in _own_grid_codes(user, policy))


def filter_visible(queryset: models.QuerySet, user, resource: str) -> models.QuerySet:
    if _is_superuser(user):
        return queryset
    policy = _policy(resource)
    if policy.owner_path:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        return queryset.filter(**{policy.owner_path: user})
    prefixes = _prefixes(user, policy.read)
    if policy.reader_sees_self and getattr(user, "is_authenticated", False) and user.is_active:
        own = Q(**{policy.self_path: user.pk})
        return queryset.filter(own | _q(policy, prefixes)) if prefixes else queryset.filter(own)
    if not prefixes:
        return queryset.none()
    return _without_own_grids(queryset.filter(_q(policy, prefixes)), user, policy)


def read_reach(user, resource: str) -> list[tuple[str, bool, int | None]] | None:
    """What `visible_to(user)` reads of `resource` as (code prefix, strictly below, department) triples; None for
    a superuser (everything). For tables that count a resource by place code (cases.CaseCounter) and must answer
    as the gate does without the records. Only for policies that filter by their path (and department) alone."""
    if _is_superuser(user):
        return None
    policy = _policy(resource)
    if policy.owner_path or policy.q_for_prefix or policy.reader_sees_self or policy.hidden_from_own_grid:
        raise ValueError(f"{resource!r} is not read by code prefix alone")
    return [(prefix, below, department if policy.department_path else None)
            for prefix, below, department in _prefixes(user, policy.read)]


def filter_changeable(queryset: models.QuerySet, user, resource: str) -> models.QuerySet:
    if _is_superuser(user):
        return queryset
    policy = _policy(resource)
    if policy.owner_path:
        return filter_visible(queryset, user, resource)
    prefixes = _prefixes(user, policy.write)
    if not prefixes or policy.q_for_prefix is not None:
        return queryset.none()
    return _without_own_grids(queryset.filter(_q(policy, prefixes)), user, policy)


class HiddenObject(Http404):
    """The 404 of an object that exists but that the user does not see: answered exactly as a missing one, and
    recorded as a denial (wudu.access_log) with `target` ("app.Model:pk")."""

    def __init__(self, target: str = ""):
        super().__init__()
        self.target = target


def hidden_or_missing(queryset: models.QuerySet, user, **lookup) -> Http404:
    """The 404 to raise when `lookup` found nothing among what the user sees: `HiddenObject` if it exists."""
    try:
        pk = queryset.model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
    except (ValueError, TypeError):
        pk = None
    return Http404() if pk is None else HiddenObject(f"{queryset.model._meta.label}:{pk}")


def access(queryset: models.QuerySet, user, **lookup) -> models.Model:
    """The one object matching `lookup` among those the user sees, or 404 — the same for missing and hidden (a
    hidden one raises `HiddenObject`, a 404 that the access log records as a denial).

    The `access_<noun>(user, id)` helpers of the apps' selectors are built on this: pages fetch single objects
    through them, never with a bare `get_object_or_404`.
    """
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise hidden_or_missing(queryset, user, **lookup) from None


def code_of(obj: models.Model, resource: str) -> str:
    """The unified code of the place an object belongs to, following the policy's path."""
    value = obj
    for part in _policy(resource).path.split("__"):
        value = getattr(value, part)
    return value


def _writing_grant(user, resource: str, code: str, *, child: bool = False,
                   roles: Iterable[str] | None = None) -> Grant | None:
    """The first of the user's grants that may write a `resource` at this code (restricted to `roles`)."""
    policy = _policy(resource)
    if _in_own_grid(user, policy, code):
        return None
    rules = policy.write
    wanted = None if roles is None else set(roles)
    for grant in grants_for(user):
        reach = rules.get(grant.role)
        if reach is None or wanted is not None and grant.role not in wanted:
            continue
        if _code_within(code, grant, reach, child=child):
            return grant
    return None


def can_write_code(user, resource: str, code: str) -> bool:
    if _is_superuser(user):
        return True
    return _writing_grant(user, resource, code) is not None


def grant_to_create(user, resource: str, place, *, roles: Iterable[str] | None = None) -> Grant | None:
    """The one grant under which the user may create a `resource` belonging to `place`, or None.

    `roles` narrows the grants that count (a kind of creation only some roles make, e.g. an assignment from
    above): the grant found is the one that allows *this* creation *here*, and its role is what the record
    names. For a policy that `creates_child` (places), `place` is the would-be parent. A superuser without a
    fitting grant creates as the system administrator, where `roles` (if given) includes that role.
    """
    roles = None if roles is None else tuple(roles)
    grant = _writing_grant(user, resource, place.code, child=_policy(resource).creates_child, roles=roles)
    if grant is None and _is_superuser(user) and (roles is None or Role.SYSTEM_ADMIN in roles):
        return SUPERUSER_GRANT
    return grant


def grant_to_act(user, obj: models.Model, resource: str, roles: Iterable[str]) -> Grant | None:
    """The one grant under which the user takes a per-role step on `obj` (who may dispatch, who may feed back):
    one of `roles`, at a place (and, for department staff, in the department) that reaches `obj` for reading.

    A superuser without such a grant may take every step, as the system administrator.
    """
    policy = _policy(resource)
    code = code_of(obj, resource)
    wanted = set(roles)
    if not _in_own_grid(user, policy, code):
        department_id = getattr(obj, policy.department_path, None) if policy.department_path else None
        for grant in grants_for(user):
            reach = policy.read.get(grant.role)
            if grant.role not in wanted or reach is None or not _code_within(code, grant, reach):
                continue
            if policy.department_path and grant.department_id is not None and grant.department_id != department_id:
                continue
            return grant
    return SUPERUSER_GRANT if _is_superuser(user) else None


def acts_as(user, obj: models.Model, resource: str, roles: tuple[str, ...]) -> bool:
    """Does the user hold one of `roles` for `obj` (see `grant_to_act`)?"""
    return grant_to_act(user, obj, resource, roles) is not None


def can_change(user, obj: models.Model, resource: str) -> bool:
    return can_write_code(user, resource, code_of(obj, resource))


def can_create(user, resource: str, place) -> bool:
    """May the user create a `resource` belonging to `place` (for a place itself: a child of `place`)?"""
    return grant_to_create(user, resource, place) is not None


def require_change(user, obj: models.Model, resource: str) -> None:
    if not can_change(user, obj, resource):
        raise PermissionDenied


def require_create(user, resource: str, place) -> None:
    if not can_create(user, resource, place):
        raise PermissionDenied


def reads_data(user) -> bool:
    """Does the user hold a role that reads the district's data (not only the security or audit duty)?"""
    return _is_superuser(user) or any(grant.role in DATA_ROLES for grant in grants_for(user))


def reads(user, resource: str, *, excluding: Iterable[str] = ()) -> bool:
    """Does one of the user's grants (of a role not in `excluding`) read this resource somewhere? What a menu
    asks before offering a list page (grants are cached: no query)."""
    if _is_superuser(user):
        return True
    rules = _policy(resource).read
    return any(grant.role in rules and grant.role not in excluding for grant in grants_for(user))


def has_role(user, *roles: str) -> bool:
    return any(grant.role in roles for grant in grants_for(user))


def places_of(user, *roles: str) -> list[int]:
    return [grant.place_id for grant in grants_for(user) if not roles or grant.role in roles]


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every model users see: `visible_to(user)` is the gate's door."""

    scope_resource: str = ""

    def visible_to(self, user) -> ScopedQuerySet:
        return filter_visible(self, user, self.scope_resource)

    def changeable_by(self, user) -> ScopedQuerySet:
        return filter_changeable(self, user, self.scope_resource)


def can_read_code(user, resource: str, code: str) -> bool:
    """Would an object of `resource` at the place with this code be visible to the user?"""
    if _is_superuser(user):
        return True
    policy = _policy(resource)
    if _in_own_grid(user, policy, code):
        return False
    rules = policy.read
    return any(_code_within(code, grant, rules[grant.role]) for grant in grants_for(user) if grant.role in rules)


def home_grant(user) -> Grant | None:
    """The grant with the widest view (shortest code): where the user lands after login."""
    grants = sorted(grants_for(user), key=lambda g: (len(g.code), g.role))
    return grants[0] if grants else None


def narrow_to_place(queryset: models.QuerySet, resource: str, code: str) -> models.QuerySet:
    """Narrow an already gated queryset to objects at or below the place with this code (a filter, not a grant)."""
    policy = _policy(resource)
    if policy.q_for_prefix is not None:
        return queryset.filter(policy.q_for_prefix(code, False))
    return queryset.filter(**{f"{policy.path}__startswith": code})


# ---------------------------------------------------------------------------------------------- personal fields


def personal_fields(resource: str) -> tuple[str, ...]:
    """The fields of `resource` that only some of its readers see."""
    return tuple(_policy(resource).personal_fields)


def field_access_name(field_name: str) -> str:
    """The annotation `with_field_access` leaves on each row: may the user see this field of it?"""
    return f"scope_sees_{field_name}"


def _sees_everything(user) -> bool:
    return _is_superuser(user)


def _field_q(user, policy: Policy, rules: dict[str, Reach]) -> Q | None:
    """The records whose field (under `rules`) the user sees, or None for none of them."""
    parts = []
    if policy.self_path and getattr(user, "is_authenticated", False) and user.is_active:
        parts.append(Q(**{policy.self_path: user.pk}))
    prefixes = _prefixes(user, rules)
    if prefixes:
        parts.append(_q(policy, prefixes))
    return reduce(or_, parts) if parts else None


def with_field_access(queryset: models.QuerySet, user, resource: str) -> models.QuerySet:
    """Annotate each row with whether the user may see each personal field (in the same query)."""
    policy = _policy(resource)
    annotations = {}
    for name, rules in policy.personal_fields.items():
        q = None if _sees_everything(user) else _field_q(user, policy, rules)
        if _sees_everything(user) or q is None:
            expression = Value(_sees_everything(user), output_field=BooleanField())
        else:
            # CASE, not the bare condition: a comparison with a NULL (a member without an account) is unknown.
            expression = Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
        annotations[field_access_name(name)] = expression
    return queryset.annotate(**annotations) if annotations else queryset


def may_see_field(user, obj_or_code, resource: str, field_name: str) -> bool:
    """May the user see `field_name` of this record (or of a record at the place with this code)?

    Fields that are not personal are seen by every reader of the record. Rows read through
    `with_field_access` answer from their annotation; others are worked out here (a person's places take one
    query).
    """
    policy = _policy(resource)
    rules = policy.personal_fields.get(field_name)
    if rules is None or _sees_everything(user):
        return True
    if not isinstance(obj_or_code, str):
        annotated = getattr(obj_or_code, field_access_name(field_name), None)
        if annotated is not None:
            return bool(annotated)
        if policy.self_path and getattr(user, "is_authenticated", False) and getattr(
                obj_or_code, policy.self_path, None) == user.pk:
            return True
    grants = [grant for grant in grants_for(user) if grant.role in rules]
    if not grants:
        return False
    if isinstance(obj_or_code, str):
        codes = [obj_or_code]
    elif policy.q_for_prefix is not None:
        q = _field_q(user, policy, rules)
        return q is not None and type(obj_or_code)._default_manager.filter(q, pk=obj_or_code.pk).exists()
    else:
        codes = [code_of(obj_or_code, resource)]
    return any(_code_within(code, grant, rules[grant.role]) for code in codes for grant in grants)
