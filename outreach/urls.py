"""outreach's pages, one module of routes per area (found by the shell through wudu.plugins)."""

from django.urls import include, path

from . import urls_events

urlpatterns = [
    path("outreach/events/", include(urls_events.staff)),
    path("huodong/", include(urls_events.public)),
]
