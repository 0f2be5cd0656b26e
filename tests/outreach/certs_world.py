"""Verified hours to certify, made directly with the ORM (the check-in/out and countersigning services belong to
the hours area): an organisation, volunteers, events and service records."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from outreach.models import Event, EventKind, EventStatus, ServiceRecord, Volunteer, VolunteerOrganization

_mobiles = itertools.count(1)


def org(place, name: str = "环保志愿服务队") -> VolunteerOrganization:
    return VolunteerOrganization.objects.create(place=place, name=name, contact_name="王队长")


def volunteer(home, name: str = "张晓明") -> Volunteer:
    return Volunteer.objects.create(home=home, name=name, mobile=f"1580000{next(_mobiles):04d}",
                                    registered_on=datetime.date(2025, 1, 1))


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def event(organization: VolunteerOrganization, day: datetime.date, title: str = "垃圾分类宣讲") -> Event:
    return Event.objects.create(kind=EventKind.LECTURE, title=title, venue=organization.place, starts_at=at(day),
                                ends_at=at(day, 12), volunteer_organization=organization, counts_as_service=True,
                                status=EventStatus.HELD)


def record(who: Volunteer, organization: VolunteerOrganization, day: datetime.date, minutes: int = 120, *,
           status: str = "verified", title: str = "垃圾分类宣讲", approver=None) -> ServiceRecord:
    """A service record at a new event of the organisation on `day` (checked in at 9:00)."""
    happening = event(organization, day, title)
    return ServiceRecord.objects.create(
        volunteer=who, organization=organization, event=happening, kind="service", status=status,
        checked_in_at=at(day), checked_out_at=at(day) + datetime.timedelta(minutes=minutes), minutes=minutes)


def honour(who: Volunteer, organization: VolunteerOrganization, minutes: int, approver, *,
           status: str = "verified") -> ServiceRecord:
    return ServiceRecord.objects.create(volunteer=who, organization=organization, kind="honour", status=status,
                                        minutes=minutes, reason="抗疫志愿服务表彰", approved_by=approver)
