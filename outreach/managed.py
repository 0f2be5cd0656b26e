"""outreach's management pages: party organisations and their members, registered with grids.manage."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from grids.manage import Column, ManagedResource, register
from grids.manage import fields as _fields
from grids.models import Level, Place

from . import forms, services
from .models import Lecturer, PartyMember, PartyOrganization, VolunteerOrganization

register(ManagedResource(
    key="party_org",
    model=PartyOrganization,
    label=_("党组织"),
    columns=(
        Column(_("名称"), lambda o: o.name),
        Column(_("类别"), lambda o: o.get_kind_display()),
        Column(_("所在社区或网格"), lambda o: o.place.name),
        Column(_("书记 / 组长"), lambda o: o.secretary or "—"),
    ),
    place_of=lambda o: o.place,
    select_related=("place",),
    create_form=forms.PartyOrgCreateForm,
    edit_form=forms.PartyOrgEditForm,
    create=lambda actor, place, data, key: services.party_org_create(
        actor=actor, place=place, idempotency_key=key, **_fields(data, "kind", "name", "secretary")
    ),
    update=lambda actor, obj, data, version: services.party_org_update(
        actor=actor, organization=obj, expected_version=version, **_fields(data, "kind", "name", "secretary")
    ),
    anchor_levels=frozenset({Level.COMMUNITY, Level.GRID}),
    create_action=_("建立党组织"),
    offered=lambda place: not PartyOrganization.objects.filter(place=place).exists(),  # one a place
    edit_initial=lambda o: {"kind": o.kind, "name": o.name, "secretary": o.secretary, "version": o.version},
))


def _member_create(actor, place: Place, data: dict, key):
    organization = PartyOrganization.objects.filter(place=place).first()
    if organization is None:
        raise ValidationError(_("%(place)s尚未建立党组织，请先建立党组织。") % {"place": place.name},
                              code="no_organization")
    return services.party_member_register(
        actor=actor, organization=organization, idempotency_key=key, **_fields(data, "name", "mobile", "registered_on", "workplace")
    )


register(ManagedResource(
    key="party_member",
    model=PartyMember,
    label=_("党员"),
    columns=(
        Column(_("姓名"), lambda m: m.name),
        Column(_("党组织"), lambda m: m.organization.name),
        Column(_("报到日期"), lambda m: m.registered_on),
        Column(_("工作单位党组织"), lambda m: m.workplace or "—"),
        Column(_("手机号码"), lambda m: m.mobile, personal="mobile"),
    ),
    place_of=lambda m: m.organization.place,
    personal=True,
    select_related=("organization__place",),
    create_form=forms.PartyMemberCreateForm,
    edit_form=forms.PartyMemberEditForm,
    create=_member_create,
    update=lambda actor, obj, data, version: services.party_member_update(
        actor=actor, member=obj, expected_version=version,
        **_fields(data, "name", "mobile", "registered_on", "workplace")
    ),
    anchor_levels=frozenset({Level.COMMUNITY, Level.GRID}),
    create_action=_("党员报到"),
    edit_initial=lambda m: {"name": m.name, "mobile": m.mobile, "registered_on": m.registered_on,
                              "workplace": m.workplace, "version": m.version},
))


# The lecturers' pool (宣讲团): registered and kept here; their topics, lessons and figures on the pool's own pages
# (outreach/views/lecturers.py).
register(ManagedResource(
    key="lecturer",
    model=Lecturer,
    label=_("宣讲员"),
    columns=(
        Column(_("姓名"), lambda o: o.name),
        Column(_("身份"), lambda o: o.get_kind_display()),
        Column(_("所属地点"), lambda o: o.home.name),
        Column(_("工作单位"), lambda o: o.unit or "—"),
        Column(_("在库"), lambda o: _("是") if o.active else _("否")),
        Column(_("手机号码"), lambda o: o.mobile, personal="mobile"),
    ),
    place_of=lambda o: o.home,
    personal=True,
    select_related=("home",),
    create_form=forms.LecturerCreateForm,
    edit_form=forms.LecturerEditForm,
    create=lambda actor, place, data, key: services.lecturer_create(
        actor=actor, home=place, idempotency_key=key, **_fields(data, "name", "mobile", "kind", "unit")
    ),
    update=lambda actor, obj, data, version: services.lecturer_update(
        actor=actor, lecturer=obj, expected_version=version, **_fields(data, "name", "mobile", "kind", "unit", "active")
    ),
    anchor_levels=frozenset({Level.DISTRICT, Level.STREET, Level.COMMUNITY}),
    create_action=_("登记宣讲员"),
    edit_initial=lambda o: {"name": o.name, "mobile": o.mobile, "kind": o.kind, "unit": o.unit, "active": o.active,
                            "version": o.version},
    detail_actions=lambda user, o: [(_("课题与宣讲记录"), reverse("outreach_lecturers:lecturer", args=[o.pk]))],
))


# ---------------------------------------------------------------------------------------------- volunteer organisations

_ORG_FIELDS = ("name", "contact_name", "phone", "description", "founded_on")

register(ManagedResource(
    key="volunteer_org",
    model=VolunteerOrganization,
    label=_("志愿服务组织"),
    columns=(
        Column(_("名称"), lambda o: o.name),
        Column(_("登记地点"), lambda o: o.place.name),
        Column(_("联系人"), lambda o: o.contact_name or "—"),
        Column(_("联系电话"), lambda o: o.phone or "—"),
    ),
    place_of=lambda o: o.place,
    select_related=("place",),
    create_form=forms.VolunteerOrgCreateForm,
    edit_form=forms.VolunteerOrgEditForm,
    create=lambda actor, place, data, key: services.volunteer_org_create(
        actor=actor, place=place, idempotency_key=key, **_fields(data, *_ORG_FIELDS)
    ),
    update=lambda actor, obj, data, version: services.volunteer_org_update(
        actor=actor, organization=obj, expected_version=version, **_fields(data, *_ORG_FIELDS)
    ),
    anchor_levels=frozenset({Level.DISTRICT, Level.STREET, Level.COMMUNITY}),
    create_action=_("登记志愿服务组织"),
    edit_initial=lambda o: {**{name: getattr(o, name) for name in _ORG_FIELDS}, "version": o.version},
))
