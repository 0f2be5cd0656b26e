"""Where inspections' pages live (巡察 → /xuncha/…): one module of routes per area (inspections/urls_<area>.py);
the shell finds this module through wudu.plugins."""

from django.urls import include, path

from . import urls_reports
from .views import tasks_public

urlpatterns = [
    path("xuncha/", include("inspections.urls_rounds")),
    path("xuncha/findings/", include("inspections.urls_findings")),
    path("xuncha/tasks/", include("inspections.urls_tasks")),
    path("xuncha/ladder/", include("inspections.urls_ladder")),
    path("xuncha/reports/", include("inspections.urls_reports")),
    # The public progress page of a round (no login): its findings marked public, redacted (insp-reports).
    path("xunchagongkai/", include(urls_reports.public_urlpatterns)),
    path("zhenggai/<str:token>/", tasks_public.confirm, name="rectification_confirm"),
]
