"""grids' management pages: places, people, memberships, departments and outpost partners (grids.manage)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wudu import scope
from wudu.duties import Duty, has_duty

from . import forms, services
from .manage import Column, ManagedResource, register
from .manage import fields as _fields
from .models import ROLE_LEVEL, Department, Level, Membership, OutpostPartner, Place, User


def _appoint_kwargs(user, place: Place) -> dict:
    # The administrators' roles are offered to the security administrator only (三权分立).
    grants_duties = has_duty(user, Duty.SECURITY)
    roles = [role for role, level in ROLE_LEVEL.items()
             if level == place.level and (grants_duties or role not in scope.ADMINISTRATORS)]
    departments = Department.objects.filter(district=place) if place.level == Level.DISTRICT else Department.objects.none()
    return {"roles": roles, "departments": departments}


def _person_actions(user, person) -> list:
    if has_duty(user, Duty.SYSTEM) and person.pk != user.pk:
        return [(_("设置密码"), reverse("manage:person_password", args=[person.pk]))]
    return []


def _patrol_minimum(place: Place):
    """A grid's own minimum, or the district's that applies to it; other levels are not patrolled."""
    if place.level != Level.GRID:
        return "—"
    if place.patrol_minimum_minutes:
        return place.patrol_minimum_minutes
    return _("按全区要求（%(n)s）") % {"n": settings.MIN_DAILY_PATROL_MINUTES}


register(ManagedResource(
    key="place",
    model=Place,
    label=_("地点"),
    columns=(
        Column(_("名称"), lambda p: p.name),
        Column(_("层级"), lambda p: p.get_level_display()),
        Column(_("统一编号"), lambda p: p.display_code),
        Column(_("面积（平方米）"), lambda p: round(p.area_m2) if p.area_m2 else "—"),
        Column(_("每日最低巡查时长（分钟）"), lambda p: _patrol_minimum(p)),
    ),
    place_of=lambda p: p,
    create_form=forms.PlaceCreateForm,
    edit_form=forms.PlaceEditForm,
    create=lambda actor, place, data, key: services.place_create(
        actor=actor, parent=place, idempotency_key=key, **_fields(data, "name", "address", "boundary")
    ),
    update=lambda actor, obj, data, version: services.place_update(
        actor=actor, place=obj, expected_version=version,
        **_fields(data, "name", "address", "boundary", "patrol_minimum_minutes")
    ),
    anchor_levels=frozenset({Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID}),
    create_action=_("新增下级"),
    edit_initial=lambda p: {"name": p.name, "address": p.address, "boundary": p.boundary, "version": p.version,
                            "level": p.level, "patrol_minimum_minutes": p.patrol_minimum_minutes},
))

register(ManagedResource(
    key="person",
    model=User,
    label=_("人员"),
    columns=(
        Column(_("姓名"), lambda u: u.display_name),
        Column(_("用户名"), lambda u: u.username),
        Column(_("手机号码"), lambda u: u.mobile or "—", personal="mobile"),
    ),
    place_of=lambda u: None,
    detail_actions=_person_actions,
    personal=True,
))

register(ManagedResource(
    key="membership",
    model=Membership,
    label=_("任职"),
    columns=(
        Column(_("姓名"), lambda m: m.user.display_name),
        Column(_("角色"), lambda m: m.get_role_display()),
        Column(_("地点"), lambda m: m.place.name),
        Column(_("部门"), lambda m: m.department.name if m.department_id else "—"),
        Column(_("工作电话"), lambda m: m.work_phone or "—"),
    ),
    place_of=lambda m: m.place,
    select_related=("user", "place", "department"),
    create_form=forms.AppointForm,
    edit_form=forms.MembershipEditForm,
    create=lambda actor, place, data, key: services.person_appoint(
        actor=actor, place=place, idempotency_key=key,
        **_fields(data, "role", "username", "real_name", "mobile", "department", "work_phone", "duties"),
    ),
    update=lambda actor, obj, data, version: services.membership_update(
        actor=actor, membership=obj, expected_version=version, **_fields(data, "work_phone", "duties")
    ),
    anchor_levels=frozenset({Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID}),
    create_action=_("任命人员"),
    edit_initial=lambda m: {"work_phone": m.work_phone, "duties": m.duties, "version": m.version},
    form_kwargs=_appoint_kwargs,
))

register(ManagedResource(
    key="department",
    model=Department,
    label=_("部门"),
    columns=(
        Column(_("名称"), lambda d: d.name),
        Column(_("所属区"), lambda d: d.district.name),
        Column(_("电话"), lambda d: d.phone or "—"),
    ),
    place_of=lambda d: d.district,
    select_related=("district",),
    create_form=forms.DepartmentCreateForm,
    edit_form=forms.DepartmentEditForm,
    create=lambda actor, place, data, key: services.department_create(
        actor=actor, district=place, idempotency_key=key, **_fields(data, "name", "short_code", "phone", "duties")
    ),
    update=lambda actor, obj, data, version: services.department_update(
        actor=actor, department=obj, expected_version=version, **_fields(data, "name", "phone", "duties")
    ),
    anchor_levels=frozenset({Level.DISTRICT}),
    edit_initial=lambda d: {"name": d.name, "phone": d.phone, "duties": d.duties, "version": d.version},
))

register(ManagedResource(
    key="partner",
    model=OutpostPartner,
    label=_("网格前哨"),
    columns=(
        Column(_("名称"), lambda p: p.name),
        Column(_("类别"), lambda p: p.get_kind_display()),
        Column(_("网格"), lambda p: p.grid.name),
        Column(_("联系人"), lambda p: p.contact_name or "—"),
    ),
    place_of=lambda p: p.grid,
    select_related=("grid",),
    create_form=forms.PartnerCreateForm,
    edit_form=forms.PartnerEditForm,
    create=lambda actor, place, data, key: services.partner_create(
        actor=actor, grid=place, idempotency_key=key, **_fields(data, "kind", "name", "contact_name", "phone")
    ),
    update=lambda actor, obj, data, version: services.partner_update(
        actor=actor, partner=obj, expected_version=version, **_fields(data, "kind", "name", "contact_name", "phone")
    ),
    anchor_levels=frozenset({Level.GRID}),
    create_action=_("登记前哨"),
    edit_initial=lambda p: {"kind": p.kind, "name": p.name, "contact_name": p.contact_name, "phone": p.phone,
                            "version": p.version},
))

