from django.urls import path

from . import open311

app_name = "open311"

urlpatterns = [
    path("services.json", open311.services, name="services"),
    path("requests.json", open311.requests, name="requests"),
    path("requests/<str:reference>.json", open311.request_detail, name="request"),
]
