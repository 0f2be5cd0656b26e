"""The ledger's management pages (households, sites, spot checks), registered with grids.manage.

Found by grids.manage.autodiscover(): grids lists them without importing the ledger.
"""

import uuid

from django.utils.translation import gettext_lazy as _

from grids.manage import Column, ManagedResource, register
from grids.manage import fields as _fields
from grids.models import Level

from . import forms
from . import services as ledger_services
from .models import Household, Site, SpotCheck

register(ManagedResource(
    key="household",
    model=Household,
    label=_("住户"),
    columns=(
        Column(_("地址"), lambda h: str(h)),
        Column(_("网格"), lambda h: h.grid.name),
        Column(_("户主"), lambda h: h.head_name or "—"),
        Column(_("居住人数"), lambda h: h.residents),
    ),
    place_of=lambda h: h.grid,
    personal=True,
    select_related=("grid",),
    create_form=forms.HouseholdCreateForm,
    edit_form=forms.HouseholdEditForm,
    create=lambda actor, place, data, key: ledger_services.household_create(
        actor=actor, grid=place, idempotency_key=key,
        **_fields(data, "address", "unit", "room", "head_name", "phone", "residents", "tags"),
    ),
    update=lambda actor, obj, data, version: ledger_services.household_update(
        actor=actor, household=obj, expected_version=version,
        **_fields(data, "address", "unit", "room", "head_name", "phone", "residents", "tags"),
    ),
    anchor_levels=frozenset({Level.GRID}),
    create_action=_("登记住户"),
    edit_initial=lambda h: {"address": h.address, "unit": h.unit, "room": h.room, "head_name": h.head_name,
                            "phone": h.phone, "residents": h.residents, "tags": list(h.tags.all()),
                            "version": h.version},
))

register(ManagedResource(
    key="site",
    model=Site,
    label=_("场所"),
    columns=(
        Column(_("名称"), lambda s: s.name),
        Column(_("类别"), lambda s: s.get_kind_display()),
        Column(_("网格"), lambda s: s.grid.name),
        Column(_("责任半径（米）"), lambda s: s.duty_radius_m or "—"),
    ),
    place_of=lambda s: s.grid,
    select_related=("grid",),
    create_form=forms.SiteCreateForm,
    create=lambda actor, place, data, key: ledger_services.site_create(
        actor=actor, grid=place, idempotency_key=key,
        **_fields(data, "kind", "name", "address", "lng", "lat", "duty_radius_m"),
    ),
    anchor_levels=frozenset({Level.GRID}),
    create_action=_("登记场所"),
))


register(ManagedResource(
    key="spot_check",
    model=SpotCheck,
    label=_("暗访督导"),
    columns=(
        Column(_("暗访日期"), lambda c: c.checked_on),
        Column(_("网格"), lambda c: f"{c.grid.parent.name}{c.grid.name}"),
        Column(_("评分"), lambda c: c.score),
        Column(_("发现问题"), lambda c: c.findings),
        Column(_("督导人"), lambda c: c.supervisor.display_name),
    ),
    place_of=lambda c: c.grid,
    select_related=("grid__parent", "supervisor"),
    create_form=forms.SpotCheckCreateForm,
    # The form's one-time key is the check's client id: a doubled submission records one check.
    create=lambda actor, place, data, key: ledger_services.spot_check_record(
        actor=actor, grid=place, client_id=key or uuid.uuid4(), **_fields(data, "checked_on", "findings", "score"),
    ),
    anchor_levels=frozenset({Level.GRID}),
    create_action=_("暗访督导"),
))
