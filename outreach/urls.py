"""outreach's pages, found by the shell (wudu.plugins.app_modules("urls")); each area includes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("outreach/party/", include("outreach.urls_party")),
]
