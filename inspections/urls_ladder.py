"""The ladder area's pages (/xuncha/ladder/…)."""

from django.urls import path

from .views import ladder as views

app_name = "inspection_ladder"

urlpatterns: list = [
    path("", views.notice_list, name="notices"),
    path("<int:pk>/pdf/", views.notice_download, name="pdf"),
    path("<int:pk>/acknowledge/", views.notice_acknowledge, name="acknowledge"),
]
