"""The dashboards with a stand-in for the bulletin's drill-down (`bulletins:rows`), listed before the site's own
routes so that it is the one reversed: the dashboard's links to a bulletin's rows are checked without the pages
of bulletins/urls.py."""

from django.http import HttpResponse
from django.urls import include, path

from bulletins.dashboard_views import dashboard_urlpatterns
from wudu.urls import urlpatterns as site


def rows(request, pk):
    return HttpResponse(f"rows of {pk}")


urlpatterns = [
    path("bulletins/", include(([*dashboard_urlpatterns, path("<int:pk>/rows/", rows, name="rows")], "bulletins"))),
    *site,
]
