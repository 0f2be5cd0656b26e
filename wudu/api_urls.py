"""/api/v1/: the REST API, its token endpoint and its documentation (schema, Swagger UI, Redoc; no CDN)."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from cases import api as cases_api
from grids import api as grids_api
from ledger import api as ledger_api
from outreach import api as outreach_api
from wudu.api import TokenView

app_name = "api"

# Basenames are fixed: the generated scope matrix reverses "api:<basename>-list" / "-detail".
router = SimpleRouter()
router.register("places", grids_api.PlaceViewSet, basename="place")
router.register("people", grids_api.PersonViewSet, basename="person")
router.register("memberships", grids_api.MembershipViewSet, basename="membership")
router.register("departments", grids_api.DepartmentViewSet, basename="department")
router.register("partners", grids_api.PartnerViewSet, basename="partner")
router.register("party-organizations", outreach_api.PartyOrganizationViewSet, basename="party-organization")
router.register("party-members", outreach_api.PartyMemberViewSet, basename="party-member")
ledger_api.register_routes(router)
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("categories", cases_api.CategoryViewSet, basename="case-category")
router.register("notifications", cases_api.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
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
