"""Where outreach's pages live: one module of routes per area (outreach/urls_<area>.py); the shell finds this
module through wudu.plugins."""

from django.urls import include, path
from django.views.generic import RedirectView

from . import urls_certs, urls_events, urls_hours

urlpatterns = [
    path("outreach/events/", include(urls_events.staff)),
    path("huodong/", include(urls_events.public)),
    # The volunteer organisations are kept through the management pages (outreach/managed.py).
    path("outreach/volunteer-orgs/", RedirectView.as_view(url="/manage/volunteer_org/", query_string=True)),
    path("outreach/", include(urls_hours.patterns)),
    path("outreach/certificates/", include("outreach.urls_certs")),
    path("zhengshu/", include(urls_certs.public_urlpatterns)),
    path("", include("outreach.urls_lecturers")),
    path("outreach/party/", include("outreach.urls_party")),
]
