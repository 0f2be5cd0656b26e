"""/api/v1/: the REST API, its token endpoints and its documentation (schema, Swagger UI, Redoc; no CDN)."""

from csp.decorators import csp_update
from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.routers import SimpleRouter

from wudu.api import TokenListView, TokenRotateView, TokenView
from wudu.export_api import ExportJobViewSet
from wudu.plugins import app_modules

app_name = "api"

# Each project app's api.py registers its endpoints (`register_routes(router)`). Basenames are fixed: the generated
# scope matrix reverses "api:<basename>-list" / "-detail".
router = SimpleRouter()
for module in app_modules("api"):
    module.register_routes(router)
router.register("exports", ExportJobViewSet, basename="export")  # the kernel's own: one's export jobs

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/rotate/", TokenRotateView.as_view(), name="token-rotate"),
    path("auth/tokens/", TokenListView.as_view(), name="tokens"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline scripts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Redoc builds its search index in a worker started from a blob: URL; allowed on this page only.
    path(
        "redoc/",
        csp_update({"worker-src": ["'self'", "blob:"]})(SpectacularRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    *router.urls,
]


@csrf_exempt  # it changes nothing: a write to a missing address is a 404 too, not a CSRF page
def not_found(request, rest=""):
    """Any other address under /api/v1/ (an id that cannot be one, a misspelt resource): the API's JSON 404, not
    the site's HTML page."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404,
                        json_dumps_params={"ensure_ascii": False})


# Last, so that it only answers what no endpoint does; slashless addresses still get CommonMiddleware's redirect.
urlpatterns.append(re_path(r"^(?P<rest>.*/)?$", not_found))
