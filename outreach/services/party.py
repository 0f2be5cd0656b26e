"""Writes to the grid's party organisation and its registered party members."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Level, Place
from wudu import scope
from wudu.writes import create_once, update_versioned

from ..models import PartyMember, PartyOrganization
from .party_life import branch_meetings_schedule


def party_org_create(
    *, actor, grid: Place, kind: str, name: str, secretary: str = "", idempotency_key=None
) -> PartyOrganization:
    scope.require_create(actor, "party_org", grid)
    if grid.level != Level.GRID:
        raise ValidationError({"grid": _("网格党组织只能建在网格上。")}, code="wrong_level")

    def create() -> PartyOrganization:
        if PartyOrganization.objects.filter(grid=grid).exists():
            raise ValidationError({"grid": _("%(grid)s已有党组织。") % {"grid": grid.name}}, code="duplicate")
        org = PartyOrganization(grid=grid, kind=kind, name=name.strip(), secretary=secretary)
        org.full_clean()
        org.save()
        # Its calendar starts at once: the meetings due this month and this quarter.
        branch_meetings_schedule(organizations=[org])
        return org

    return create_once(key=idempotency_key, actor=actor, model=PartyOrganization, create=create)


def party_org_update(
    *, actor, organization: PartyOrganization, expected_version: int | None = None, **changes
) -> PartyOrganization:
    scope.require_change(actor, organization, "party_org")
    fields = {k: v for k, v in changes.items() if k in {"kind", "name", "secretary"}}
    return update_versioned(organization, expected_version=expected_version, fields=fields)


def normal_workplace(name: str | None) -> str:
    """A workplace's name as the quarterly return groups it: spaces trimmed and collapsed (全角 spaces too)."""
    return " ".join((name or "").replace("\u3000", " ").split())


def party_member_register(
    *,
    actor,
    organization: PartyOrganization,
    name: str,
    mobile: str,
    registered_on: datetime.date | None = None,
    user=None,
    workplace: str = "",
    idempotency_key=None,
) -> PartyMember:
    """A party member registers with the grid where they live (就近报到)."""
    scope.require_create(actor, "party_member", organization.grid)
    registered_on = registered_on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise ValidationError({"registered_on": _("报到日期不能晚于今天。")}, code="future")

    def create() -> PartyMember:
        member = PartyMember(
            organization=organization, name=name.strip(), mobile=mobile, registered_on=registered_on, user=user,
            workplace=normal_workplace(workplace),
        )
        member.full_clean()
        member.save()
        return member

    return create_once(key=idempotency_key, actor=actor, model=PartyMember, create=create)


def party_member_update(
    *, actor, member: PartyMember, expected_version: int | None = None, **changes
) -> PartyMember:
    scope.require_change(actor, member, "party_member")
    fields = {k: v for k, v in changes.items() if k in {"name", "mobile", "registered_on", "workplace"}}
    if "workplace" in fields:
        fields["workplace"] = normal_workplace(fields["workplace"])
    if fields.get("registered_on") and fields["registered_on"] > timezone.localdate():
        raise ValidationError({"registered_on": _("报到日期不能晚于今天。")}, code="future")
    return update_versioned(member, expected_version=expected_version, fields=fields)
