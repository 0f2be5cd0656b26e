"""The pages of bulletins and rankings, under /bulletins/."""

from django.urls import include, path

from . import views
from .dashboard_views import dashboard_urlpatterns
from .export_views import export_urlpatterns

patterns = [
    path("", views.bulletin_list, name="list"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_edit, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme_edit, name="scheme_edit"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/rows/", views.bulletin_rows, name="rows"),
    path("<int:pk>/status/", views.bulletin_status, name="status"),
    path("<int:pk>/objections/", views.objection_file, name="object"),
    path("<int:pk>/objections/<int:objection_pk>/decide/", views.objection_decide, name="decide"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/correct/", views.bulletin_correct, name="correct"),
    path("<int:pk>/rebuild/", views.bulletin_rebuild, name="rebuild"),
    *export_urlpatterns,
    *dashboard_urlpatterns,
]

urlpatterns = [path("bulletins/", include((patterns, "bulletins")))]
