"""The scope gate: the one place that decides what a user may list, read, create and change.

A user's memberships (role at a place) are their *grants*. Every resource that users see is registered
below with the path from the model to the unified code of the place it belongs to, and, per role, how far
that role reaches for reading and for writing:

- ``SUBTREE``: the grant's place and everything below it (code prefix);
- ``BELOW``: strictly below the grant's place (officials manage what is under them, not their own level);
- ``DISTRICT``: the whole district of the grant (reference data every role of the district needs).

Pages, API, exports and the admin all start from ``Model.objects.visible_to(user)`` and ask
``can_change`` / ``can_create`` before writing; nothing filters scope by hand. Invisible objects look
missing (404); visible but not writable is refused (403).

Seeing a record is not seeing all of it: a policy's ``personal_fields`` name the fields (a person's own
mobile, a party member's mobile) that only some of the readers see, and how far. Every surface asks
``may_see_field`` (lists annotate the answer with ``with_field_access``, so it costs no query per row).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When


class Reach(enum.Enum):
    SUBTREE = "subtree"
    BELOW = "below"
    DISTRICT = "district"


DISTRICT_CODE_LENGTH = 6

GRID_ROLES = ("grid_head", "instructor", "grid_worker")
OFFICIALS = ("community_official", "street_official", "district_official")
EVERY_ROLE = GRID_ROLES + OFFICIALS + ("command_center", "department_staff", "system_admin")


@dataclass(frozen=True)
class Grant:
    role: str
    place_id: int
    code: str
    department_id: int | None = None

    @property
    def district_code(self) -> str:
        return self.code[:DISTRICT_CODE_LENGTH]


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
    # Covert records (spot checks): never seen or written by anyone holding a grid role at the record's grid,
    # whatever other grant they hold above it.
    hidden_from_own_grid: bool = False


def _subtree_read() -> dict[str, Reach]:
    return {role: Reach.SUBTREE for role in EVERY_ROLE}


def _officials_write(**extra: Reach) -> dict[str, Reach]:
    return {**{role: Reach.BELOW for role in OFFICIALS}, "system_admin": Reach.SUBTREE, **extra}


def _read_except_departments() -> dict[str, Reach]:
    return {role: Reach.SUBTREE for role in EVERY_ROLE if role != "department_staff"}


def _grid_staff_write() -> dict[str, Reach]:
    return {role: Reach.SUBTREE for role in GRID_ROLES}


def _person_q(prefix: str, strictly_below: bool = False) -> Q:
    from grids.models import Membership

    memberships = Membership.objects.filter(place__code__startswith=prefix)
    if strictly_below:
        memberships = memberships.exclude(place__code=prefix)
    return Q(pk__in=memberships.values("user_id"))


# Who sees a person's own mobile, e-mail and photo (their work phone is the membership's, seen by whoever
# sees the membership): the person themself, the officials above them (strictly: peers at the same office
# use work phones), the command center (it dispatches and calls) and the system administrator. Grid staff see
# their colleagues' photos (posted on the grid's public notice anyway), never their mobiles; department staff
# see names, roles and work phones only.
_PERSON_PRIVATE = {**{role: Reach.BELOW for role in OFFICIALS}, "command_center": Reach.SUBTREE,
                   "system_admin": Reach.SUBTREE}
_PERSON_FIELDS = {
    "mobile": _PERSON_PRIVATE,
    "email": _PERSON_PRIVATE,
    "photo": {**_PERSON_PRIVATE, **{role: Reach.SUBTREE for role in GRID_ROLES}},
}
# The party-member register is the party organisation's business: the grid's instructor and the officials
# above it (and the system administrator) see members' mobiles; other readers see names only, and department
# staff do not read the register at all.
_PARTY_MEMBER_FIELDS = {
    "mobile": {"instructor": Reach.SUBTREE, **{role: Reach.SUBTREE for role in OFFICIALS},
               "system_admin": Reach.SUBTREE},
}


# The policy table. A new resource joins the gate (and the generated scope matrix) by adding a line here.
POLICIES: dict[str, Policy] = {
    "place": Policy(path="code", read=_subtree_read(), write=_officials_write(grid_head=Reach.BELOW)),
    "person": Policy(path="", read=_subtree_read(), q_for_prefix=_person_q, personal_fields=_PERSON_FIELDS,
                     self_path="pk"),
    "membership": Policy(path="place__code", read=_subtree_read(), write=_officials_write()),
    "department": Policy(
        path="district__code",
        read={role: Reach.DISTRICT for role in EVERY_ROLE},
        write={"district_official": Reach.SUBTREE, "system_admin": Reach.SUBTREE},
    ),
    "partner": Policy(path="grid__code", read=_subtree_read(), write=_officials_write(grid_head=Reach.SUBTREE)),
    "party_org": Policy(path="grid__code", read=_subtree_read(), write=_officials_write(instructor=Reach.SUBTREE)),
    "party_member": Policy(
        path="organization__grid__code", read=_read_except_departments(), write=_officials_write(instructor=Reach.SUBTREE),
        personal_fields=_PARTY_MEMBER_FIELDS, self_path="user_id",
    ),
    # The grid's register and ledger: the grid's own staff and the levels above; departments see cases only.
    "household": Policy(path="grid__code", read=_read_except_departments(), write=_officials_write(**_grid_staff_write())),
    "site": Policy(path="grid__code", read=_read_except_departments(), write=_officials_write(**_grid_staff_write())),
    "patrol": Policy(
        path="grid__code", read=_read_except_departments(),
        write={"grid_worker": Reach.SUBTREE, "grid_head": Reach.SUBTREE, "system_admin": Reach.SUBTREE},
    ),
    "visit": Policy(
        path="grid__code", read=_read_except_departments(),
        write={"grid_worker": Reach.SUBTREE, "grid_head": Reach.SUBTREE, "system_admin": Reach.SUBTREE},
    ),
    "daily_report": Policy(path="place__code", read=_read_except_departments()),
    # Cases: everyone above the grid reads the cases of their subtree; a department only what is (or was)
    # dispatched to it. Who may perform which transition is cases.workflow's table, checked through here.
    "case": Policy(
        path="grid__code", read=_subtree_read(), department_path="department_id",
        write={**{role: Reach.BELOW for role in OFFICIALS}, "grid_worker": Reach.SUBTREE, "grid_head": Reach.SUBTREE,
               "command_center": Reach.SUBTREE},
    ),
    "case_category": Policy(
        path="district__code", read={role: Reach.DISTRICT for role in EVERY_ROLE},
        write={"command_center": Reach.SUBTREE, "system_admin": Reach.SUBTREE},
    ),
    "notification": Policy(path="", read={}, owner_path="user"),
    # Covert checks are seen by the levels above the grid only, never by the grid's own staff (not even by one
    # of them who also holds an office above the grid).
    "spot_check": Policy(
        path="grid__code", hidden_from_own_grid=True,
        read={**{role: Reach.SUBTREE for role in OFFICIALS}, "command_center": Reach.SUBTREE,
              "system_admin": Reach.SUBTREE},
        write={**{role: Reach.BELOW for role in OFFICIALS}, "command_center": Reach.SUBTREE,
               "system_admin": Reach.SUBTREE},
    ),
}


def grants_for(user) -> tuple[Grant, ...]:
    """The user's grants, read once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_wudu_grants", None)
    if cached is None:
        from grids.models import Membership

        rows = Membership.objects.filter(user=user).values_list("role", "place_id", "place__code", "department_id")
        cached = tuple(Grant(role, place_id, code, dept) for role, place_id, code, dept in rows)
        user._wudu_grants = cached
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants (after a membership of this user changed)."""
    if hasattr(user, "_wudu_grants"):
        del user._wudu_grants


def _prefix(grant: Grant, reach: Reach) -> str:
    return grant.district_code if reach is Reach.DISTRICT else grant.code


def _code_within(code: str, grant: Grant, reach: Reach) -> bool:
    prefix = _prefix(grant, reach)
    if not code.startswith(prefix):
        return False
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
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    policy = _policy(resource)
    if policy.owner_path:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        return queryset.filter(**{policy.owner_path: user})
    prefixes = _prefixes(user, policy.read)
    if resource == "person" and getattr(user, "is_authenticated", False):
        own = Q(pk=user.pk)
        return queryset.filter(own | _q(policy, prefixes)) if prefixes else queryset.filter(own)
    if not prefixes:
        return queryset.none()
    return _without_own_grids(queryset.filter(_q(policy, prefixes)), user, policy)


def filter_changeable(queryset: models.QuerySet, user, resource: str) -> models.QuerySet:
    if getattr(user, "is_superuser", False) and user.is_active:
        return queryset
    policy = _policy(resource)
    if policy.owner_path:
        return filter_visible(queryset, user, resource)
    prefixes = _prefixes(user, policy.write)
    if not prefixes or policy.q_for_prefix is not None:
        return queryset.none()
    return _without_own_grids(queryset.filter(_q(policy, prefixes)), user, policy)


def code_of(obj: models.Model, resource: str) -> str:
    """The unified code of the place an object belongs to, following the policy's path."""
    value = obj
    for part in _policy(resource).path.split("__"):
        value = getattr(value, part)
    return value


def can_write_code(user, resource: str, code: str) -> bool:
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    policy = _policy(resource)
    if _in_own_grid(user, policy, code):
        return False
    rules = policy.write
    return any(
        _code_within(code, grant, rules[grant.role]) for grant in grants_for(user) if grant.role in rules
    )


def acts_as(user, obj: models.Model, resource: str, roles: tuple[str, ...]) -> bool:
    """Does the user hold one of `roles` at a place (and, for department staff, in the department) that reaches
    `obj` for reading? Used for the per-role steps of a workflow (who may dispatch, who may feed back)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    policy = _policy(resource)
    code = code_of(obj, resource)
    if _in_own_grid(user, policy, code):
        return False
    department_id = getattr(obj, policy.department_path, None) if policy.department_path else None
    for grant in grants_for(user):
        reach = policy.read.get(grant.role)
        if grant.role not in roles or reach is None or not _code_within(code, grant, reach):
            continue
        if policy.department_path and grant.department_id is not None and grant.department_id != department_id:
            continue
        return True
    return False


def can_change(user, obj: models.Model, resource: str) -> bool:
    return can_write_code(user, resource, code_of(obj, resource))


def can_create(user, resource: str, place) -> bool:
    """May the user create a `resource` belonging to `place`?

    For a place itself, `place` is the would-be parent: the new child sits strictly below it.
    """
    code = place.code + ("*" if resource == "place" else "")
    return can_write_code(user, resource, code)


def require_change(user, obj: models.Model, resource: str) -> None:
    if not can_change(user, obj, resource):
        raise PermissionDenied


def require_create(user, resource: str, place) -> None:
    if not can_create(user, resource, place):
        raise PermissionDenied


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
    if getattr(user, "is_superuser", False) and user.is_active:
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
    return bool(getattr(user, "is_superuser", False) and user.is_active)


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
