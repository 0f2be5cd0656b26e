"""The reports area's pages: /xuncha/reports/ (the rounds and their figures), a round's report, its re-checks and
exports. The public progress page is mounted apart (inspections/urls.py, /xunchagongkai/<round id>/)."""

from django.urls import path

from .views import reports

app_name = "inspection_reports"

urlpatterns: list = [
    path("", reports.round_list, name="rounds"),
    path("<int:pk>/", reports.round_report, name="report"),
    path("<int:pk>/draw/", reports.recheck_draw, name="draw"),
    path("<int:pk>/rechecks/<int:recheck_pk>/", reports.recheck_record, name="record"),
    path("<int:pk>/export/<str:fmt>/", reports.report_export, name="export"),
]

public_urlpatterns = ([path("<int:pk>/", reports.public_progress, name="progress")], "inspection_public")
