from django.urls import path

from . import views

app_name = "twofactor"

urlpatterns = [
    path("", views.security, name="security"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("recovery/", views.recovery_regenerate, name="recovery"),
    path("codes/", views.new_codes, name="new_codes"),
    path("remove/<path:device_id>/", views.remove, name="remove"),
    path("reset/", views.reset, name="reset"),
]
