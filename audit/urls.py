"""The audit administrator's pages, under /audit/."""

from django.urls import include, path

from . import views

patterns = [
    path("", views.access_list, name="access"),
    path("rows/", views.row_list, name="rows"),
    path("seals/", views.seal_list, name="seals"),
]

urlpatterns = [path("audit/", include((patterns, "audit")))]
