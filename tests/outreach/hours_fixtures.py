"""Shared builders of the hours tests: an organisation at 董庄社区 (C1), its events, volunteers (plain ORM for the
events: the events area owns their services)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from outreach import services
from outreach.models import Event, EventKind, EventStatus, VolunteerOrganization

TZ = timezone.get_fixed_timezone(8 * 60)
# The venue's map point (董庄社区): 113.1, 34.7.
VENUE = (113.1, 34.7)
_mobiles = itertools.count(1)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of November 2026, Beijing time."""
    return datetime.datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def organization(cast, name: str = "魏都区环保志愿者协会", key: str = "C1") -> VolunteerOrganization:
    return VolunteerOrganization.objects.get_or_create(place=cast.places[key], name=name)[0]


def event(cast, org, *, starts: datetime.datetime, hours: float = 2, kind: str = EventKind.LECTURE,
          counts_as_service: bool = False, title: str = "垃圾分类宣讲", venue_key: str = "G1",
          point=VENUE) -> Event:
    return Event.objects.create(
        kind=kind, title=title, status=EventStatus.PUBLISHED, venue=cast.places[venue_key],
        lng=point[0] if point else None, lat=point[1] if point else None, starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours), volunteer_organization=org,
        counts_as_service=counts_as_service,
    )


def volunteer(cast, name: str = "张志愿", key: str = "G1", user=None):
    return services.volunteer_register(actor=cast.admin, home=cast.places[key], name=name,
                                       mobile=f"1380000{next(_mobiles):04d}", user=user)


def check_in(ev, vol, now, device="phone-1", point=VENUE):
    return services.volunteer_check_in(code=services.checkin_code(ev, now=now), mobile=vol.mobile,
                                       device=services.device_hash(device), lng=point[0] if point else None,
                                       lat=point[1] if point else None, now=now)


def check_out(ev, vol, now, point=VENUE):
    return services.volunteer_check_out(code=services.checkin_code(ev, now=now), mobile=vol.mobile,
                                        lng=point[0] if point else None, lat=point[1] if point else None, now=now)
