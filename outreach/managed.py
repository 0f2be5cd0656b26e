"""outreach's management pages: party organisations and their members, registered with grids.manage."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids.manage import Column, ManagedResource, register
from grids.manage import fields as _fields
from grids.models import Level, Place

from . import forms, services
from .models import PartyMember, PartyOrganization

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
    create=lambda actor, place, data, key: services.party_org_create(
        actor=actor, grid=place, idempotency_key=key, **_fields(data, "kind", "name", "secretary")
    ),
    update=lambda actor, obj, data, version: services.party_org_update(
        actor=actor, organization=obj, expected_version=version, **_fields(data, "kind", "name", "secretary")
    ),
    anchor_levels=frozenset({Level.GRID}),
    create_action=_("建立党组织"),
    edit_initial=lambda o: {"kind": o.kind, "name": o.name, "secretary": o.secretary, "version": o.version},
))


def _member_create(actor, place: Place, data: dict, key):
    organization = PartyOrganization.objects.filter(grid=place).first()
    if organization is None:
        raise ValidationError(_("该网格尚未建立党组织，请先建立党组织。"), code="no_organization")
    return services.party_member_register(
        actor=actor, organization=organization, idempotency_key=key, **_fields(data, "name", "mobile", "registered_on", "workplace")
    )


register(ManagedResource(
    key="party_member",
    model=PartyMember,
    label=_("党员"),
    columns=(
        Column(_("姓名"), lambda m: m.name),
        Column(_("网格党组织"), lambda m: m.organization.name),
        Column(_("报到日期"), lambda m: m.registered_on),
        Column(_("工作单位党组织"), lambda m: m.workplace or "—"),
        Column(_("手机号码"), lambda m: m.mobile, personal="mobile"),
    ),
    place_of=lambda m: m.organization.grid,
    personal=True,
    select_related=("organization__grid",),
    create_form=forms.PartyMemberCreateForm,
    edit_form=forms.PartyMemberEditForm,
    create=_member_create,
    update=lambda actor, obj, data, version: services.party_member_update(
        actor=actor, member=obj, expected_version=version,
        **_fields(data, "name", "mobile", "registered_on", "workplace")
    ),
    anchor_levels=frozenset({Level.GRID}),
    create_action=_("党员报到"),
    edit_initial=lambda m: {"name": m.name, "mobile": m.mobile, "registered_on": m.registered_on,
                              "workplace": m.workplace, "version": m.version},
))
