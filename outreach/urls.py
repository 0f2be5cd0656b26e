"""outreach's pages, one routes module per area (the shell finds this module through wudu.plugins)."""

from django.urls import include, path

urlpatterns = [
    path("", include("outreach.urls_lecturers")),
]
