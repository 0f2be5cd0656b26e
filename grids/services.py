"""Every write to places, people, memberships, departments and outpost partners."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wudu import passwords, scope
from wudu.duties import Duty, duty_of, has_duty
from wudu.images import clean_photo
from wudu.signals import record_access
from wudu.writes import create_once, update_versioned

from . import geo
from .models import (
    CHILD_LEVEL,
    PARENT_LEVEL,
    ROLE_LEVEL,
    SEGMENT_WIDTH,
    Department,
    Level,
    Membership,
    OutpostPartner,
    Place,
    Role,
    User,
)
from .selectors import appointable_people

# ---------------------------------------------------------------------------------------------- places


def _apply_boundary(place: Place, boundary) -> None:
    if boundary in (None, "", {}):
        place.boundary = None
        place.area_m2 = place.centroid_lng = place.centroid_lat = None
        place.min_lng = place.min_lat = place.max_lng = place.max_lat = None
        return
    try:
        parsed = geo.parse_boundary(boundary)
    except ValidationError as error:
        raise ValidationError({"boundary": error.messages}) from None
    place.boundary = parsed.geojson
    place.area_m2 = round(parsed.area_m2, 1)
    place.centroid_lng, place.centroid_lat = parsed.centroid
    place.min_lng, place.min_lat, place.max_lng, place.max_lat = parsed.bbox


def _check_boundary_fits(place: Place) -> None:
    """A boundary lies within its parent's (when the parent has one) and does not overlap its siblings'."""
    if not place.boundary:
        return
    shape = geo.geometry_of(place.boundary)
    parent = place.parent
    if parent is not None and parent.boundary and not geo.covers(geo.geometry_of(parent.boundary), shape):
        raise ValidationError(
            {"boundary": _("边界超出了上级%(parent)s的范围。") % {"parent": parent.name}}, code="outside_parent"
        )
    siblings = Place.objects.filter(parent=parent, boundary__isnull=False).exclude(pk=place.pk)
    if place.min_lng is not None:
        siblings = siblings.filter(
            min_lng__lte=place.max_lng, max_lng__gte=place.min_lng, min_lat__lte=place.max_lat, max_lat__gte=place.min_lat
        )
    for sibling in siblings.only("name", "boundary"):
        if geo.overlap_m2(shape, geo.geometry_of(sibling.boundary)) > geo.OVERLAP_TOLERANCE_M2:
            raise ValidationError(
                {"boundary": _("边界与%(other)s重叠，同级地点的边界不能重叠。") % {"other": sibling.name}},
                code="overlap",
            )


def place_create(
    *,
    actor,
    parent: Place | None,
    name: str,
    level: str | None = None,
    boundary=None,
    address: str = "",
    county_seq: int | None = None,
    code: str | None = None,
    idempotency_key=None,
) -> Place:
    """Create a place under `parent` and give it the next unified code.

    Codes are assigned in order and never reused: the parent's counter only grows. A district takes
    its GB/T 2260 county digits (`county_seq`), a city its four-digit prefix (`code`).
    """
    if parent is not None:
        scope.require_create(actor, "place", parent)
    elif not getattr(actor, "is_superuser", False):
        raise scope.PermissionDenied
    level = level or (CHILD_LEVEL.get(parent.level) if parent else Level.CITY)
    if level is None:  # the parent is a building: nothing is below it
        raise ValidationError({"parent": _("%(level)s是最低层级，其下不能再建地点。") % {"level": parent.level_label}},
                              code="wrong_parent")
    expected_parent = PARENT_LEVEL.get(level)
    if parent is not None and level == Level.CITY:
        raise ValidationError({"parent": _("市是最高层级，不能有上级。")}, code="wrong_parent")
    if parent is None and level != Level.CITY or parent is not None and parent.level != expected_parent:
        raise ValidationError(
            {"parent": _("%(level)s的上级必须是%(parent)s。")
             % {"level": Level(level).label, "parent": Level(expected_parent).label if expected_parent else "—"}},
            code="wrong_parent",
        )

    def create() -> Place:
        place = Place(level=level, name=(name or "").strip(), parent=parent, address=address)
        _apply_boundary(place, boundary)
        if parent is None:
            if not code or len(code) != SEGMENT_WIDTH[Level.CITY] or not code.isdigit():
                raise ValidationError({"code": _("市级编号应为 4 位数字（GB/T 2260 前四位）。")}, code="bad_code")
            place.code, place.seq = code, int(code)
        else:
            locked = Place.objects.select_for_update().get(pk=parent.pk)
            width = SEGMENT_WIDTH[Level(level)]
            seq = locked.next_child_seq
            if county_seq is not None:
                if county_seq < seq:
                    raise ValidationError(
                        {"code": _("编号 %(code)s 已被使用或已跳过，编号一经使用不可再用。")
                         % {"code": f"{locked.code}{county_seq:0{width}d}"}},
                        code="code_used",
                    )
                seq = county_seq
            if seq >= 10**width:
                raise ValidationError(_("%(parent)s下的编号已用尽。") % {"parent": parent.name}, code="codes_exhausted")
            place.seq, place.code = seq, f"{locked.code}{seq:0{width}d}"
            Place.objects.filter(pk=locked.pk).update(next_child_seq=seq + 1)
            place.parent = locked
        place.full_clean()
        _check_boundary_fits(place)
        place.save()
        return place

    return create_once(key=idempotency_key, actor=actor, model=Place, create=create)


def place_update(
    *, actor, place: Place, expected_version: int | None = None, code: str | None = None, **changes
) -> Place:
    """Rename a place, move its address or redraw its boundary. Its code and parent never change."""
    scope.require_change(actor, place, "place")
    if code is not None and code != place.code:
        raise ValidationError({"code": _("统一编号一经使用不可更改。")}, code="code_immutable")
    if "parent" in changes and changes.pop("parent") != place.parent:
        raise ValidationError({"parent": _("地点不能移到其他上级之下：统一编号将随之改变。")}, code="parent_immutable")
    fields = {k: v for k, v in changes.items() if k in {"name", "address", "patrol_minimum_minutes"}}
    if fields.get("patrol_minimum_minutes") is not None and place.level != Level.GRID:
        raise ValidationError({"patrol_minimum_minutes": _("只有网格可以设置每日最低巡查时长。")}, code="not_grid")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    if "boundary" in changes:
        _apply_boundary(place, changes["boundary"])
        fields.update(
            {f: getattr(place, f) for f in
             ("boundary", "area_m2", "centroid_lng", "centroid_lat", "min_lng", "min_lat", "max_lng", "max_lat")}
        )
        for f, v in fields.items():
            setattr(place, f, v)
        _check_boundary_fits(place)
    return update_versioned(place, expected_version=expected_version, fields=fields)


def grid_at(lng: float, lat: float) -> Place | None:
    """The grid whose boundary holds the point: bounding-box candidates by index, then the exact test."""
    candidates = Place.objects.grids().filter(
        min_lng__lte=lng, max_lng__gte=lng, min_lat__lte=lat, max_lat__gte=lat
    ).select_related("parent__parent")
    for grid in candidates:
        if geo.contains_point(grid.boundary, lng, lat):
            return grid
    return None


# ---------------------------------------------------------------------------------------------- people


def _check_membership(role: str, place: Place, department: Department | None) -> None:
    need = ROLE_LEVEL.get(Role(role))
    if need is None:
        raise ValidationError({"role": _("%(role)s由巡察轮次的组队产生，不能直接任职。") % {"role": Role(role).label}},
                              code="not_a_membership")
    if place.level != need:
        raise ValidationError(
            {"place": _("%(role)s只能在%(level)s任职。") % {"role": Role(role).label, "level": Level(need).label}},
            code="wrong_level",
        )
    if role == Role.DEPARTMENT_STAFF:
        if department is None:
            raise ValidationError({"department": _("部门工作人员必须指定所属部门。")}, code="department_required")
        if department.district_id != place.pk:
            raise ValidationError({"department": _("部门不属于该区。")}, code="department_elsewhere")
    elif department is not None:
        raise ValidationError({"department": _("只有部门工作人员才能指定部门。")}, code="department_not_allowed")


def _check_appointable(actor, user: User) -> None:
    """Only someone the actor sees, or a new account serving nowhere yet, can be appointed (whatever the path:
    a page, the API or the admin's raw-id box)."""
    if not appointable_people(actor).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("人员不存在或无权访问。")}, code="not_appointable")


# Roles that reach the (gated) Django admin: officials, the command center and the system administrator (grid
# staff work in the app; the security and audit administrators have pages of their own).
STAFF_ROLES = (Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL, Role.DISTRICT_OFFICIAL, Role.COMMAND_CENTER,
               Role.SYSTEM_ADMIN)


def _check_grantor(actor, user: User | None, role: str, *, break_glass: bool = False) -> None:
    """三权分立: the administrators' roles are granted and ended by a security administrator only (or, to appoint
    the first ones, by the break-glass command), and nobody grants or ends a role of their own."""
    if user is not None and getattr(actor, "pk", None) == user.pk:
        raise scope.PermissionDenied(_("不能变更本人的角色，请由另一位安全管理员办理。"))
    if duty_of(role) is not None and not (break_glass or has_duty(actor, Duty.SECURITY)):
        raise scope.PermissionDenied(_("只有安全管理员可以任免系统、安全和审计管理员。"))


def _check_one_duty(user: User, role: str) -> None:
    """A person holds at most one of the three duties. Called with the person's row locked (select_for_update),
    so two grants at the same instant are checked one after the other."""
    duty = duty_of(role)
    if duty is None:
        return
    other = (Membership.objects.filter(user=user, role__in=scope.ADMINISTRATORS).exclude(role=role)
             .values_list("role", flat=True).first())
    if other is not None:
        raise ValidationError({"role": ValidationError(
            _("%(user)s已是%(held)s，不能再担任%(role)s：系统、安全、审计管理员三者只能任其一。")
            % {"user": user, "held": Role(other).label, "role": Role(role).label}, code="second_duty")})


def _role_changed(actor, membership: Membership, action: str) -> None:
    record_access("role_changed", user=actor if getattr(actor, "pk", None) else None,
                  target=f"grids.User:{membership.user_id}",
                  detail={"role": str(membership.role), "place": membership.place.code, "action": action})


def membership_create(
    *,
    actor,
    user: User,
    role: str,
    place: Place,
    department: Department | None = None,
    work_phone: str = "",
    duties: str = "",
    idempotency_key=None,
    break_glass: bool = False,
) -> Membership:
    """Grant a role at a place. `break_glass` (the `appoint_administrator` command only) lets a superuser appoint
    an administrator where no security administrator exists yet."""
    if not break_glass:
        scope.require_create(actor, "membership", place)
    _check_membership(role, place, department)
    _check_grantor(actor, user, role, break_glass=break_glass)
    if not break_glass:
        _check_appointable(actor, user)

    def create() -> Membership:
        # The person's row is locked while their roles are checked and changed: grants at the same instant wait.
        User.objects.select_for_update().filter(pk=user.pk).first()
        _check_one_duty(user, role)
        existing = Membership.objects.filter(user=user, role=role, place=place, department=department).first()
        if existing is not None:
            raise ValidationError(_("%(user)s已在%(place)s担任%(role)s。")
                                  % {"user": user, "place": place.name, "role": Role(role).label}, code="duplicate")
        membership = Membership(
            user=user, role=role, place=place, department=department, work_phone=work_phone, duties=duties
        )
        membership.full_clean()
        membership.save()
        if role in STAFF_ROLES and not user.is_staff:
            # A privilege change, allowed by the grant just checked (officials and the command center reach the
            # gated admin; grid staff work in the app).
            User.objects.filter(pk=user.pk).update(is_staff=True)
            user.is_staff = True
        _role_changed(actor, membership, "granted")
        scope.forget_grants(user)
        return membership

    return create_once(key=idempotency_key, actor=actor, model=Membership, create=create)


def membership_update(*, actor, membership: Membership, expected_version: int | None = None, **changes) -> Membership:
    scope.require_change(actor, membership, "membership")
    for fixed in ("user", "role", "place", "department"):
        if fixed in changes and changes[fixed] != getattr(membership, fixed):
            raise ValidationError(_("任职的人员、角色和地点不能修改，请撤销后重新任命。"), code="immutable")
    fields = {k: v for k, v in changes.items() if k in {"work_phone", "duties"}}
    return update_versioned(membership, expected_version=expected_version, fields=fields)


def membership_end(*, actor, membership: Membership) -> None:
    scope.require_change(actor, membership, "membership")
    _check_grantor(actor, membership.user, membership.role)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=membership.user_id).first()
        membership.delete()
        _role_changed(actor, membership, "ended")
    scope.forget_grants(membership.user)


def person_appoint(
    *,
    actor,
    place: Place,
    role: str,
    username: str,
    real_name: str,
    mobile: str,
    password: str | None = None,
    password_hash: str | None = None,
    department: Department | None = None,
    work_phone: str = "",
    duties: str = "",
    photo=None,
    idempotency_key=None,
) -> Membership:
    """Create a person's account and their membership in one step (or nothing, on any error).

    The person has no password yet: a system administrator sets an initial one, which the person must change at
    the first sign-in, or sends them a link to choose their own (`person_set_password`, `person_send_reset_link`).
    `password` is for the demo's and the test cast's published passwords only; the pages never pass one.
    `password_hash` is such a password already hashed (`make_password`): the demo hashes its one password once
    for all its accounts."""
    scope.require_create(actor, "membership", place)
    _check_membership(role, place, department)
    _check_grantor(actor, None, role)

    def create() -> Membership:
        if User.objects.filter(username=username).exists():
            raise ValidationError({"username": _("用户名 %(name)s 已被使用。") % {"name": username}}, code="taken")
        user = User(username=username, real_name=real_name, mobile=mobile)
        if photo:
            user.photo = clean_photo(photo, max_side=600)
        if password_hash:
            user.password = password_hash
        elif password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        return membership_create(
            actor=actor, user=user, role=role, place=place, department=department, work_phone=work_phone, duties=duties
        )

    return create_once(key=idempotency_key, actor=actor, model=Membership, create=create)


def person_update_profile(*, actor, person: User, real_name=None, mobile=None, photo=None) -> User:
    """A person edits their own name, mobile number and photo."""
    if actor.pk != person.pk and not actor.is_superuser:
        raise scope.PermissionDenied
    if real_name is not None:
        person.real_name = real_name
    if mobile is not None:
        person.mobile = mobile
    if photo is not None:
        person.photo = clean_photo(photo, max_side=600)
    person.full_clean(exclude=["password"])
    person.save(update_fields=["real_name", "mobile", "photo"])
    return person


def _require_system_duty(actor, person: User) -> None:
    if not has_duty(actor, Duty.SYSTEM):
        raise scope.PermissionDenied(_("只有系统管理员可以设置他人的密码。"))
    if actor.pk == person.pk:
        raise ValidationError(_("请在“修改密码”页面修改自己的密码。"), code="own_password")


def person_set_password(*, actor, person: User, password: str, request=None) -> User:
    """A system administrator sets a person's initial password; the person must change it at the next sign-in.

    The person's sessions end (the session hash follows the password)."""
    _require_system_duty(actor, person)
    if not person.is_active:
        raise ValidationError(_("该账号已停用。"), code="inactive")
    password_validation.validate_password(password, user=person)
    with transaction.atomic():
        person.set_password(password)
        person.must_change_password = True
        person.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record_access("password_reset", request=request, user=actor, target=f"grids.User:{person.pk}",
                  detail={"stage": "set_by_administrator"})
    return person


def person_send_reset_link(*, actor, person: User, request=None) -> str:
    """A system administrator sends a person the link to choose their password (to their mobile, else e-mail);
    the channel it went by, "" when the person has neither."""
    _require_system_duty(actor, person)
    if not person.is_active:
        raise ValidationError(_("该账号已停用。"), code="inactive")
    if not person.mobile and not person.email:
        raise ValidationError(_("该人员没有登记手机号码或电子邮箱，无法发送链接；请为其设置初始密码。"), code="no_contact")
    channel = passwords.send_reset_link(person, request=request)
    record_access("password_reset", request=request, user=actor, target=f"grids.User:{person.pk}",
                  detail={"stage": "link_sent", "channel": channel, "by": "administrator"})
    return channel


ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def check_account_change(*, actor, person: User, changed) -> None:
    """Accounts are the system administrator's (三权分立), and nobody approves their own change: the active and
    staff flags of one's own account are changed by another system administrator; only a superuser makes one."""
    if not has_duty(actor, Duty.SYSTEM):
        raise scope.PermissionDenied(_("只有系统管理员可以管理账号。"))
    flags = set(changed) & set(ACCOUNT_FLAGS)
    if flags and actor.pk == person.pk:
        raise scope.PermissionDenied(_("不能修改本人账号的启用或管理权限，请由另一位系统管理员办理。"))
    if "is_superuser" in flags and not actor.is_superuser:
        raise scope.PermissionDenied(_("只有超级管理员可以授予超级管理员权限。"))


def person_set_active(*, actor, person: User, active: bool) -> User:
    """Deactivate (or reactivate) a person's account: they can no longer sign in; their records stay."""
    check_account_change(actor=actor, person=person, changed=["is_active"])
    serving = Membership.objects.filter(user=person).exists()
    if serving and not User.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise scope.PermissionDenied
    User.objects.filter(pk=person.pk).update(is_active=active)
    person.is_active = active
    return person


# ---------------------------------------------------------------------------------------------- departments


def department_create(
    *, actor, district: Place, name: str, short_code: str, phone: str = "", duties: str = "", idempotency_key=None
) -> Department:
    scope.require_create(actor, "department", district)
    if district.level != Level.DISTRICT:
        raise ValidationError({"district": _("部门只能设在区级。")}, code="wrong_level")

    def create() -> Department:
        department = Department(district=district, name=name.strip(), short_code=short_code, phone=phone, duties=duties)
        department.full_clean()
        department.save()
        return department

    return create_once(key=idempotency_key, actor=actor, model=Department, create=create)


def department_update(*, actor, department: Department, expected_version: int | None = None, **changes) -> Department:
    scope.require_change(actor, department, "department")
    fields = {k: v for k, v in changes.items() if k in {"name", "phone", "duties"}}
    return update_versioned(department, expected_version=expected_version, fields=fields)


# ---------------------------------------------------------------------------------------------- outpost


def partner_create(
    *, actor, grid: Place, kind: str, name: str, contact_name: str = "", phone: str = "", idempotency_key=None
) -> OutpostPartner:
    scope.require_create(actor, "partner", grid)
    if grid.level != Level.GRID:
        raise ValidationError({"grid": _("网格前哨只能登记在网格下。")}, code="wrong_level")

    def create() -> OutpostPartner:
        partner = OutpostPartner(grid=grid, kind=kind, name=name.strip(), contact_name=contact_name, phone=phone)
        partner.full_clean()
        partner.save()
        return partner

    return create_once(key=idempotency_key, actor=actor, model=OutpostPartner, create=create)


def partner_update(*, actor, partner: OutpostPartner, expected_version: int | None = None, **changes) -> OutpostPartner:
    scope.require_change(actor, partner, "partner")
    fields = {k: v for k, v in changes.items() if k in {"kind", "name", "contact_name", "phone"}}
    return update_versioned(partner, expected_version=expected_version, fields=fields)
