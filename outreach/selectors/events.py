"""Reads of outreach events and volunteer organisations: the staff list (gated, keyset pages), one event, the forms'
choices, and the public calendar of a street or a community (no login: plain published fields only, redacted)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import CODE_LENGTH, Department, Level, Place
from wudu import redact, scope
from wudu.pages import Keyset, keyset_page

from ..models import Event, EventKind, EventStatus, PartyOrganization, VolunteerOrganization

__all__ = [
    "EventFilter", "PublicCalendar", "access_event", "event_organizer_choices", "event_place_choices",
    "event_venue_choices", "events_page", "month_range",
    "notice_calendar", "public_calendar", "public_event_ics",
]

LIST_RELATED = ("venue", "party_organization", "volunteer_organization", "organizer_department", "organizer_place")


def _light(queryset: QuerySet) -> QuerySet:
    """Events with their venue and organiser in the same query, without the places' polygons."""
    return queryset.select_related(*LIST_RELATED).defer("venue__boundary", "organizer_place__boundary")


def access_event(user, pk: int) -> Event:
    """One event the user sees, or the gate's 404 (the same for missing and hidden)."""
    return scope.access(_light(Event.objects.all()).select_related("created_by", "back_entry_approved_by",
                                                                   "volunteer_organization__place",
                                                                   "party_organization__place")
                        .defer("party_organization__place__boundary").prefetch_related("photos"), user, pk=pk)


def month_range(month: str) -> tuple[datetime.datetime, datetime.datetime] | None:
    """'2026-10' as [first moment, first moment of the next month) in local time; None for anything else."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime.date(year, number, 1)
    except (ValueError, TypeError):
        return None
    end = datetime.date(year + (number == 12), number % 12 + 1, 1)
    aware = [timezone.make_aware(datetime.datetime.combine(day, datetime.time())) for day in (start, end)]
    return aware[0], aware[1]


@dataclass(frozen=True)
class EventFilter:
    kind: str = ""
    place_code: str = ""
    month: str = ""  # YYYY-MM
    status: str = ""


def _seek(queryset: QuerySet, after: str) -> QuerySet:
    try:
        stamp, pk = after.rsplit("_", 1)
        when = datetime.datetime.fromisoformat(stamp)
        pk = int(pk)
    except ValueError:
        return queryset
    return queryset.filter(Q(starts_at__lt=when) | Q(starts_at=when, pk__lt=pk))


# Latest first: the list opens on what is coming and what just happened.
BY_START = Keyset(order=("-starts_at", "-pk"), seek=_seek, cursor=lambda row: f"{row.starts_at.isoformat()}_{row.pk}")


def _filtered(queryset: QuerySet, f: EventFilter) -> QuerySet:
    if f.kind:
        queryset = queryset.filter(kind=f.kind)
    if f.status:
        queryset = queryset.filter(status=f.status)
    if f.place_code:
        queryset = scope.narrow_to_place(queryset, "event", f.place_code)
    if f.month and (span := month_range(f.month)):
        queryset = queryset.filter(starts_at__gte=span[0], starts_at__lt=span[1])
    return queryset


def events_page(user, f: EventFilter, after: str = "", *, size: int = 30) -> tuple[list[Event], str]:
    """One page of the events the user sees, latest start first, and the next page's cursor (one query)."""
    return keyset_page(_filtered(_light(Event.objects.visible_to(user)), f), after, size=size, keyset=BY_START)


def event_venue_choices(user, chosen: str = "") -> list[tuple[str, str]]:
    """The places where the user may record an event, as (code, indented name) pairs (one query): those down to
    communities that they see, the grids of the communities and grids where they serve, and the grid `chosen` (a
    street's official picks a grid from its terminal: ?venue=<code>)."""
    grants = scope.grants_for(user)
    near = [grant.code[:CODE_LENGTH[Level.COMMUNITY]] for grant in grants
            if len(grant.code) >= CODE_LENGTH[Level.COMMUNITY]]
    wanted = Q(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])
    for code in near:
        wanted |= Q(level=Level.GRID, code__startswith=code)
    if chosen:
        wanted |= Q(level=Level.GRID, code=chosen)
    rows = Place.objects.visible_to(user).filter(wanted).order_by("code").only("code", "name", "level", "parent_id")
    depth = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}
    return [(place.code, "\u3000" * depth[place.level] + place.name) for place in rows
            if scope.can_create(user, "event", place)]


def event_place_choices(user) -> list[tuple[str, str]]:
    """The list's place filter: the places the user sees down to communities (one query)."""
    rows = (Place.objects.visible_to(user).filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])
            .order_by("code").values_list("code", "name", "level"))
    depth = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2}
    return [(code, "\u3000" * depth[level] + name) for code, name, level in rows]


def event_organizer_choices(user) -> list[tuple[str, str]]:
    """The organisers the user may name, as ("kind:id", label) pairs: the party organisations and volunteer
    organisations they see, the departments of their district (three queries)."""
    out = []
    for prefix, label, rows in (
        ("party", _("党组织"), PartyOrganization.objects.visible_to(user).order_by("place__code")[:300]),
        ("volunteer", _("志愿服务组织"), VolunteerOrganization.objects.visible_to(user).order_by("place__code", "name")),
        ("department", _("部门"), Department.objects.visible_to(user).order_by("name")),
    ):
        out += [(f"{prefix}:{row.pk}", f"{label} · {row.name}") for row in rows]
    return out


# ---------------------------------------------------------------------------------------------- public calendar

PUBLIC_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.HELD)
UPCOMING_LIMIT = 60
PAST_LIMIT = 20


@dataclass(frozen=True)
class PublicEvent:
    """An event as the public calendar shows it: no person's data beyond the speakers it was announced with, the
    report redacted (wudu.redact), nothing of a draft."""

    pk: int
    kind: str
    kind_label: str
    title: str
    topic: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue: str
    address: str
    organizer: str
    speakers: str
    stream_url: str
    held: bool
    actual_audience: int | None = None
    audience_counted_by: str = ""
    report: str = ""


@dataclass
class PublicMonth:
    month: str  # YYYY-MM
    label: str
    events: list[PublicEvent] = field(default_factory=list)


@dataclass
class PublicCalendar:
    code: str
    name: str
    level: str
    parent_name: str
    upcoming: list[PublicMonth]
    past: list[PublicEvent]
    past_month: str  # the month the past list shows ("" for the latest held events)
    months_with_past: list[str]
    children: list[tuple[str, str]]  # the communities of a street (code, name)


def _organizer_name(event: Event) -> str:
    organizer = event.organizer
    return getattr(organizer, "name", "") if organizer is not None else ""


def _public(event: Event) -> PublicEvent:
    held = event.status == EventStatus.HELD
    return PublicEvent(
        pk=event.pk, kind=event.kind, kind_label=EventKind(event.kind).label, title=redact.redact(event.title),
        topic=redact.redact(event.topic), starts_at=event.starts_at, ends_at=event.ends_at, venue=event.venue.name,
        address=redact.redact(event.address), organizer=_organizer_name(event), speakers=event.speakers,
        stream_url=event.stream_url, held=held,
        actual_audience=event.actual_audience if held else None,
        audience_counted_by=event.get_audience_counted_by_display() if held and event.audience_counted_by else "",
        report=redact.redact(event.report) if held else "",
    )


def _month_label(day: datetime.datetime) -> str:
    local = timezone.localtime(day)
    return _("%(y)d年%(m)d月") % {"y": local.year, "m": local.month}


def _public_events(code: str) -> QuerySet:
    return _light(Event.objects.filter(venue__code__startswith=code, status__in=PUBLIC_STATUSES))


def public_calendar(code: str, *, month: str = "", now: datetime.datetime | None = None) -> PublicCalendar:
    """The calendar of a district, street or community: its upcoming published events by month, and its held events
    with their reports (the latest, or those of `month`). Four queries; 404 for any other code."""
    place = (Place.objects.filter(code=code, level__in=PUBLIC_LEVELS).select_related("parent")
             .only("code", "name", "level", "parent__name").first())
    if place is None:
        raise Http404(_("没有这个街道或社区。"))
    now = now or timezone.now()
    upcoming: list[PublicMonth] = []
    rows = _public_events(code).filter(status=EventStatus.PUBLISHED, ends_at__gte=now).order_by("starts_at", "pk")
    for event in rows[:UPCOMING_LIMIT]:
        key = f"{timezone.localtime(event.starts_at):%Y-%m}"
        if not upcoming or upcoming[-1].month != key:
            upcoming.append(PublicMonth(month=key, label=_month_label(event.starts_at)))
        upcoming[-1].events.append(_public(event))
    held = _public_events(code).filter(status=EventStatus.HELD).order_by("-starts_at", "-pk")
    span = month_range(month) if month else None
    if span:
        held = held.filter(starts_at__gte=span[0], starts_at__lt=span[1])
    past = [_public(event) for event in held[:PAST_LIMIT if not span else 200]]
    year_ago = now - datetime.timedelta(days=366)
    months = sorted({f"{timezone.localtime(at):%Y-%m}" for at in Event.objects.filter(
        venue__code__startswith=code, status=EventStatus.HELD, starts_at__gte=year_ago).values_list(
        "starts_at", flat=True)}, reverse=True)
    children = []
    if place.level in (Level.DISTRICT, Level.STREET):
        children = list(Place.objects.filter(parent__code=code).order_by("code").values_list("code", "name"))
    return PublicCalendar(
        code=place.code, name=place.name, level=place.level, parent_name=place.parent.name if place.parent_id else "",
        upcoming=upcoming, past=past, past_month=month if span else "", months_with_past=months, children=children)


def public_event_ics(code: str, *, now: datetime.datetime | None = None) -> tuple[str, list[PublicEvent]]:
    """The place's name and its published events from a month back on, for the calendar feed (.ics)."""
    place = Place.objects.filter(code=code, level__in=PUBLIC_LEVELS).only("name").first()
    if place is None:
        raise Http404(_("没有这个街道或社区。"))
    since = (now or timezone.now()) - datetime.timedelta(days=31)
    rows = _public_events(code).filter(ends_at__gte=since).order_by("starts_at", "pk")[:200]
    return place.name, [_public(event) for event in rows]


def notice_calendar(grid_id: int) -> dict[str, str]:
    """On a grid's public notice: the link to its community's event calendar (one query)."""
    code = Place.objects.filter(pk=grid_id).values_list("code", flat=True).first()
    if not code:
        return {}
    community = code[:CODE_LENGTH[Level.COMMUNITY]]
    return {"events_url": reverse("events_public:calendar", args=[community])}
