"""The public event calendar (活动日历) of a district, street or community: no login, phone-first. Upcoming published
events by month, held events with their (redacted) reports, and an .ics feed a phone's calendar can subscribe to.
Nothing of a draft or a cancelled event is shown; photos stay on the staff pages (faces of residents)."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .. import selectors


@require_GET
def calendar(request, code: str):
    # Not cached publicly: the page's menu names a signed-in official (the .ics feed below has no such part).
    month = request.GET.get("month", "")
    data = selectors.public_calendar(code, month=month if selectors.month_range(month) else "")
    return render(request, "outreach/events/public_calendar.html", {
        "calendar": data, "ics_url": request.build_absolute_uri(reverse("events_public:ics", args=[code]))})


def _ics_text(value: str) -> str:
    return (value or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """RFC 5545 lines of at most 75 octets, continued with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 74:
            out.append(current)
            current = " "
        current += char
    return [*out, current]


@require_GET
@cache_control(public=True, max_age=900)
def ics(request, code: str):
    name, events = selectors.public_event_ics(code)
    host = request.get_host().split(":")[0]
    page = request.build_absolute_uri(reverse("events_public:calendar", args=[code]))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//wudu//outreach events//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_ics_text(name)}活动日历", "X-WR-TIMEZONE:Asia/Shanghai"]
    stamp = _ics_time(timezone.now())
    for event in events:
        where = " ".join(part for part in (event.venue, event.address) if part)
        lines += ["BEGIN:VEVENT", f"UID:event-{event.pk}@{host}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{_ics_time(event.starts_at)}", f"DTEND:{_ics_time(event.ends_at)}",
                  f"SUMMARY:{_ics_text(f'【{event.kind_label}】{event.title}')}", f"LOCATION:{_ics_text(where)}",
                  f"DESCRIPTION:{_ics_text(event.topic)}", f"URL:{event.stream_url or page}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    body = "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
    return HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
