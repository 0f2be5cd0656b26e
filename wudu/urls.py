from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from grids import views as grid_views
from ledger.urls import ledger_urls, patrol_urls

from . import health, media

urlpatterns = [
    path("", grid_views.root, name="root"),
    path("home/", grid_views.home, name="home"),
    path("me/", grid_views.profile, name="profile"),
    path("places/<str:code>/", grid_views.terminal, name="terminal"),
    path("manage/", include("grids.manage_urls")),
    path("ledger/", include(ledger_urls)),
    path("gongshi/", include("grids.public_urls")),
    path("patrol/", include(patrol_urls)),
    path("cases/", include("cases.urls")),
    path("notifications/", include("cases.notification_urls")),
    path("suqiu/", include("cases.public_urls")),
    path("open311/v2/", include("cases.open311_urls")),
    path("api/v1/", include("wudu.api_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("bench/", include("wudu.bench")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
# Uploaded photos, in every mode, through the scope gate (wudu/media.py); behind nginx the app answers with
# X-Accel-Redirect and nginx sends the file (deploy/nginx.conf).
urlpatterns += media.urlpatterns()
