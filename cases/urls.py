"""Where the case pages live: staff (/cases/), notices (/notifications/), residents (/suqiu/), Open311."""

from django.urls import include, path

urlpatterns = [
    path("cases/", include("cases.staff_urls")),
    path("notifications/", include("cases.notification_urls")),
    path("suqiu/", include("cases.public_urls")),
    path("open311/v2/", include("cases.open311_urls")),
]
