"""outreach's pages, one module of routes per area (found by the shell through wudu.plugins)."""

from django.urls import include, path
from django.views.generic import RedirectView

from . import urls_events

urlpatterns = [
    path("outreach/events/", include(urls_events.staff)),
    path("huodong/", include(urls_events.public)),
    # The volunteer organisations are kept through the management pages (outreach/managed.py).
    path("outreach/volunteer-orgs/", RedirectView.as_view(url="/manage/volunteer_org/", query_string=True)),
]
