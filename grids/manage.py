"""The managed resources: one description per resource drives the management pages and the admin.

Each entry says how to list it, which form creates and edits it and which service does the writing, so
the HTML pages, the admin and the API meet the same gate and the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from outreach import services as outreach_services
from outreach.models import PartyMember, PartyOrganization

from . import forms, services
from .models import ROLE_LEVEL, Department, Level, Membership, OutpostPartner, Place, Role, User


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    # A personal field of the resource (the gate's `personal_fields`): shown only to those who may see it.
    personal: str = ""


@dataclass(frozen=True)
class ManagedResource:
    key: str  # URL segment and scope-gate resource name
    model: type[models.Model]
    label: Any
    columns: tuple[Column, ...]
    place_of: Callable[[Any], Place]  # the place an object belongs to
    select_related: tuple[str, ...] = ()
    create_form: type | None = None
    edit_form: type | None = None
    create: Callable | None = None  # (actor, place, data, key) -> object
    update: Callable | None = None  # (actor, obj, data, version) -> object
    anchor_levels: frozenset = field(default_factory=frozenset)  # levels of ?place= for create
    edit_initial: Callable[[Any], dict] = lambda obj: {}
    form_kwargs: Callable[[Any, Place], dict] = lambda user, place: {}

    @property
    def scope_resource(self) -> str:
        return self.model._default_manager.get_queryset().scope_resource


def _fields(data: dict, *names: str) -> dict:
    return {name: data[name] for name in names if name in data}


def _appoint_kwargs(user, place: Place) -> dict:
    roles = [role for role, level in ROLE_LEVEL.items() if level == place.level and role != Role.SYSTEM_ADMIN]
    departments = Department.objects.filter(district=place) if place.level == Level.DISTRICT else Department.objects.none()
    return {"roles": roles, "departments": departments}


RESOURCES: dict[str, ManagedResource] = {}


def register(resource: ManagedResource) -> ManagedResource:
    RESOURCES[resource.key] = resource
    return resource


register(ManagedResource(
    key="place",
    model=Place,
    label=_("地点"),
    columns=(
        Column(_("名称"), lambda p: p.name),
        Column(_("层级"), lambda p: p.get_level_display()),
        Column(_("统一编号"), lambda p: p.display_code),
        Column(_("面积（平方米）"), lambda p: round(p.area_m2) if p.area_m2 else "—"),
    ),
    place_of=lambda p: p,
    create_form=forms.PlaceCreateForm,
    edit_form=forms.PlaceEditForm,
    create=lambda actor, place, data, key: services.place_create(
        actor=actor, parent=place, idempotency_key=key, **_fields(data, "name", "address", "boundary")
    ),
    update=lambda actor, obj, data, version: services.place_update(
        actor=actor, place=obj, expected_version=version, **_fields(data, "name", "address", "boundary")
    ),
    anchor_levels=frozenset({Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID}),
    edit_initial=lambda p: {"name": p.name, "address": p.address, "boundary": p.boundary, "version": p.version},
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
    edit_initial=lambda p: {"kind": p.kind, "name": p.name, "contact_name": p.contact_name, "phone": p.phone,
                            "version": p.version},
))

register(ManagedResource(
    key="party_org",
    model=PartyOrganization,
    label=_("网格党组织"),
    columns=(
        Column(_("名称"), lambda o: o.name),
        Column(_("类别"), lambda o: o.get_kind_display()),
        Column(_("网格"), lambda o: o.grid.name),
        Column(_("书记 / 组长"), lambda o: o.secretary or "—"),
    ),
    place_of=lambda o: o.grid,
    select_related=("grid",),
    create_form=forms.PartyOrgCreateForm,
    edit_form=forms.PartyOrgEditForm,
    create=lambda actor, place, data, key: outreach_services.party_org_create(
        actor=actor, grid=place, idempotency_key=key, **_fields(data, "kind", "name", "secretary")
    ),
    update=lambda actor, obj, data, version: outreach_services.party_org_update(
        actor=actor, organization=obj, expected_version=version, **_fields(data, "kind", "name", "secretary")
    ),
    anchor_levels=frozenset({Level.GRID}),
    edit_initial=lambda o: {"kind": o.kind, "name": o.name, "secretary": o.secretary, "version": o.version},
))


def _member_create(actor, place: Place, data: dict, key):
    organization = PartyOrganization.objects.filter(grid=place).first()
    if organization is None:
        from django.core.exceptions import ValidationError

        raise ValidationError(_("该网格尚未建立党组织，请先建立党组织。"), code="no_organization")
    return outreach_services.party_member_register(
        actor=actor, organization=organization, idempotency_key=key, **_fields(data, "name", "mobile", "registered_on")
    )


register(ManagedResource(
    key="party_member",
    model=PartyMember,
    label=_("党员"),
    columns=(
        Column(_("姓名"), lambda m: m.name),
        Column(_("网格党组织"), lambda m: m.organization.name),
        Column(_("报到日期"), lambda m: m.registered_on),
        Column(_("手机号码"), lambda m: m.mobile, personal="mobile"),
    ),
    place_of=lambda m: m.organization.grid,
    select_related=("organization__grid",),
    create_form=forms.PartyMemberCreateForm,
    edit_form=forms.PartyMemberEditForm,
    create=_member_create,
    update=lambda actor, obj, data, version: outreach_services.party_member_update(
        actor=actor, member=obj, expected_version=version, **_fields(data, "name", "mobile", "registered_on")
    ),
    anchor_levels=frozenset({Level.GRID}),
    edit_initial=lambda m: {"name": m.name, "mobile": m.mobile, "registered_on": m.registered_on, "version": m.version},
))
