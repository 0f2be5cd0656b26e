"""Writes to the party organisations of communities and grids and their registered party members."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Level, Place
from wudu import scope
from wudu.writes import create_once, update_versioned

from ..models import LEVELS_FOR, PARTY_LEVELS, REGISTERED_ONCE, OrganizationKind, PartyMember, PartyOrganization
from .party_life import branch_meetings_schedule


def _check_level(kind: str, place: Place) -> None:
    """A community's committee, general branch or branch; a grid's branch or group (LEVELS_FOR)."""
    if kind in LEVELS_FOR and place.level not in LEVELS_FOR[kind]:
        levels = "、".join(str(Level(level).label) for level in LEVELS_FOR[kind])
        raise ValidationError(
            {"kind": _("%(kind)s只能建在%(levels)s上。") % {"kind": OrganizationKind(kind).label, "levels": levels}},
            code="wrong_level")


def party_org_create(
    *, actor, place: Place, kind: str, name: str, secretary: str = "", idempotency_key=None
) -> PartyOrganization:
    """A community's or a grid's party organisation (one a place). Its calendar of meetings starts at once."""
    scope.require_create(actor, "party_org", place)
    if place.level not in PARTY_LEVELS:
        raise ValidationError({"place": _("党组织只能建在社区或网格上。")}, code="wrong_level")
    _check_level(kind, place)

    def create() -> PartyOrganization:
        if PartyOrganization.objects.filter(place=place).exists():
            raise ValidationError({"place": _("%(place)s已有党组织。") % {"place": place.name}}, code="duplicate")
        org = PartyOrganization(place=place, kind=kind, name=name.strip(), secretary=secretary)
        org.full_clean()
        org.save()
        # Its calendar starts at once: the meetings due this month and this quarter.
        branch_meetings_schedule(organizations=[org])
        return org

    return create_once(key=idempotency_key, actor=actor, model=PartyOrganization, create=create)


def party_org_update(
    *, actor, organization: PartyOrganization, expected_version: int | None = None, **changes
) -> PartyOrganization:
    """Its name, secretary or kind. A new kind must suit the place; the meetings already due stay as they were and
    the next periods follow the new kind (the daily schedule)."""
    scope.require_change(actor, organization, "party_org")
    fields = {k: v for k, v in changes.items() if k in {"kind", "name", "secretary"}}
    if "kind" in fields:
        _check_level(fields["kind"], organization.place)
    return update_versioned(organization, expected_version=expected_version, fields=fields)


def normal_workplace(name: str | None) -> str:
    """A workplace's name as the quarterly return groups it: spaces trimmed and collapsed (全角 spaces too)."""
    return " ".join((name or "").replace("\u3000", " ").split())


def _registered_once(mobile: str, member: PartyMember | None = None) -> None:
    """One registration a member: a mobile registered with any organisation is refused with a message on the mobile
    (the unique constraint holds it against a race)."""
    others = PartyMember.objects.filter(mobile=mobile)
    if member is not None and member.pk:
        others = others.exclude(pk=member.pk)
    if mobile and others.exists():
        raise ValidationError({"mobile": REGISTERED_ONCE}, code="registered_elsewhere")


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
    scope.require_create(actor, "party_member", organization.place)
    registered_on = registered_on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise ValidationError({"registered_on": _("报到日期不能晚于今天。")}, code="future")

    def create() -> PartyMember:
        member = PartyMember(
            organization=organization, name=name.strip(), mobile=mobile, registered_on=registered_on, user=user,
            workplace=normal_workplace(workplace),
        )
        _registered_once(member.mobile)
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
    if "mobile" in fields:
        _registered_once(fields["mobile"], member)
    return update_versioned(member, expected_version=expected_version, fields=fields)
