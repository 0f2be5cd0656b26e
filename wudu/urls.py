"""The site's routes: the kernel's own (API, health, sign-in, admin, media), then each app's `urls.py`.

The apps are those of settings.PROJECT_APPS: an app that has pages keeps them in its own urls.py
(`urlpatterns`, with its prefixes), so adding an app edits no other app.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import accounts, health, media, offline, signout
from .plugins import app_modules

# Django's 400 (a body it refuses before any view reads it) answers the API's JSON under /api/.
handler400 = "wudu.api.bad_request"

urlpatterns = [
    path("api/v1/", include("wudu.api_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/pages.json", offline.pages, name="offline_pages"),
    path("bench/", include("wudu.bench")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    *accounts.urlpatterns,
    path("accounts/logout-everywhere/", signout.logout_everywhere, name="logout_everywhere"),
    path("accounts/2fa/", include("wudu.twofactor.urls")),
    path("accounts/2fa/webauthn/", include("wudu.twofactor.webauthn")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("exports/", include("wudu.export_views")),
    *(path("", include(module)) for module in app_modules("urls")),
]
# Uploaded photos, in every mode, through the scope gate (wudu/media.py); behind nginx the app answers with
# X-Accel-Redirect and nginx sends the file (deploy/nginx.conf).
urlpatterns += media.urlpatterns()
