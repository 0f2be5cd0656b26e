"""The tasks area's pages (/xuncha/tasks/…): 任务清单, 责任清单, assigning from a finding, a task and its steps."""

from django.urls import path

from .views import tasks as views

app_name = "inspection_tasks"

urlpatterns: list = [
    path("", views.task_list, name="list"),
    path("responsibility/", views.responsibility, name="responsibility"),
    path("assign/<int:finding_id>/", views.assign, name="assign"),
    path("<int:task_id>/", views.detail, name="detail"),
    path("<int:task_id>/steps/<slug:action>/", views.step, name="step"),
]
