"""Where grids' pages live: the landing redirects, the terminals, the profile, management and the public notice."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
    path("me/", views.profile, name="profile"),
    path("places/<str:code>/", views.terminal, name="terminal"),
    path("security/lockouts/", views.lockouts, name="lockouts"),
    path("manage/", include("grids.manage_urls")),
    path("gongshi/", include("grids.public_urls")),
]
