"""outreach's pages, one module of routes per area (urls_<area>.py)."""

from django.urls import include, path

from . import urls_hours

urlpatterns = [
    path("outreach/", include(urls_hours.patterns)),
]
