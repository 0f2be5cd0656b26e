from django.urls import path

from . import patrol_views as views

app_name = "patrol"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/visits/", views.visit, name="visit"),
    path("sw.js", views.service_worker, name="sw"),
]
