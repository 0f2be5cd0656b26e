"""The findings area's pages (/xuncha/findings/): the 问题清单."""

from django.urls import path

from .views import findings

app_name = "inspection_findings"

urlpatterns: list = [
    path("", findings.finding_list, name="list"),
    path("new/", findings.finding_record, name="create"),
    path("<int:pk>/", findings.finding_detail, name="detail"),
    path("<int:pk>/edit/", findings.finding_edit, name="edit"),
    path("<int:pk>/dismiss/", findings.finding_dismiss, name="dismiss"),
    path("<int:pk>/evidence/", findings.finding_evidence, name="evidence"),
]
