from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notifications, name="list"),
    path("badge/", views.notification_badge, name="badge"),
    path("read/", views.notifications_read, name="read"),
]
