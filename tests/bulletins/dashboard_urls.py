"""The site's routes with the dashboards under the "bulletins" namespace, for the dashboard tests while
bulletins/urls.py does not include them yet (once it does, the site's own routes are used as they are)."""

from django.urls import URLResolver, include, path
from django.urls.resolvers import RegexPattern

from bulletins.dashboard_views import dashboard_urlpatterns
from wudu.urls import urlpatterns as site

if "bulletins" in URLResolver(RegexPattern(r"^/"), site).namespace_dict:
    urlpatterns = site
else:
    urlpatterns = [*site, path("bulletins/", include((dashboard_urlpatterns, "bulletins")))]
