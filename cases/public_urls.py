from django.urls import path

from . import public_views

app_name = "cases_public"

urlpatterns = [
    path("", public_views.submit, name="submit"),
    path("chaxun/", public_views.lookup, name="lookup"),
    path("t/<str:token>/", public_views.track, name="track"),
    path("t/<str:token>/evaluate/", public_views.evaluate, name="evaluate"),
]
