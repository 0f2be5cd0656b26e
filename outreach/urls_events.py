"""The pages of outreach events: the staff's (/outreach/events/) and the public calendar (/huodong/<code>/)."""

from django.urls import path

from .views import calendar, events

staff = ([
    path("", events.event_list, name="list"),
    path("new/", events.event_create, name="create"),
    path("<int:pk>/", events.event_detail, name="detail"),
    path("<int:pk>/edit/", events.event_edit, name="edit"),
    path("<int:pk>/publish/", events.event_publish, name="publish"),
    path("<int:pk>/cancel/", events.event_cancel, name="cancel"),
    path("<int:pk>/report/", events.event_report, name="report"),
], "outreach_events")

public = ([
    path("<str:code>/", calendar.calendar, name="calendar"),
    path("<str:code>/calendar.ics", calendar.ics, name="ics"),
], "events_public")
