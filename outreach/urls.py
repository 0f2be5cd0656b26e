"""Where outreach's pages live: one module of routes per area (outreach/urls_<area>.py); the shell finds this
module through wudu.plugins."""

from django.urls import include, path

from . import urls_certs, urls_hours

urlpatterns = [
    path("outreach/", include(urls_hours.patterns)),
    path("outreach/certificates/", include("outreach.urls_certs")),
    path("zhengshu/", include(urls_certs.public_urlpatterns)),
    path("", include("outreach.urls_lecturers")),
]
