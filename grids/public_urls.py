from django.urls import path

from . import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("locate/", public_views.locate, name="locate"),
    path("map.geojson", public_views.map_geojson, name="map"),
    path("<str:code>/", public_views.grid, name="grid"),
    path("<str:code>/qr.png", public_views.qr_code, name="qr"),
    path("<str:code>/poster/", public_views.poster, name="poster"),
]
