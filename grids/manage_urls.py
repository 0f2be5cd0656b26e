from django.urls import path

from . import manage_views

app_name = "manage"
urlpatterns = [
    path("", manage_views.index, name="index"),
    path("<str:key>/", manage_views.resource_list, name="list"),
    path("<str:key>/new/", manage_views.resource_create, name="create"),
    path("<str:key>/<int:pk>/", manage_views.resource_detail, name="detail"),
    path("<str:key>/<int:pk>/edit/", manage_views.resource_edit, name="edit"),
    path("person/<int:pk>/password/", manage_views.person_password, name="person_password"),
]
