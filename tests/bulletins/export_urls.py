"""The site's routes plus the bulletin exports under /bulletins/ (namespace "bulletins"), for test_exports.py until
bulletins/urls.py includes `export_urlpatterns` (then this module and the `urls` marks can go)."""

from django.urls import include, path

from bulletins.export_views import export_urlpatterns
from wudu.urls import urlpatterns as site

urlpatterns = [path("bulletins/", include((export_urlpatterns, "bulletins"))), *site]
