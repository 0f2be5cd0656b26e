from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("center/", views.center, name="center"),
    path("center/map/", views.center_map, name="map"),
    path("center/map.geojson", views.center_map_data, name="map_data"),
    path("center/dispatch/", views.dispatch_many, name="dispatch_many"),
    path("department/", views.department, name="department"),
    path("to-verify/", views.to_verify, name="to_verify"),
    path("from-visit/<int:visit_id>/", views.from_visit, name="from_visit"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/act/<str:action>/", views.case_step, name="act"),
]
