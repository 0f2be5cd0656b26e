"""Until the second factor is passed, a signed-in person who must pass one reaches only the way to pass it.

Runs after django-otp's OTPMiddleware (which tells whether the session is verified). Pages answer a redirect to
the verify page (or to enrolment, for a person with no factor yet); the API answers 403 with a message saying
what is missing. A request that carries an API token (`Authorization: Token …`/`Bearer …`) is left to the API's
own authentication: the session is not what signs it in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services

_TOKEN_SCHEMES = ("token ", "bearer ")


def _open_paths() -> tuple[str, ...]:
    """Paths a not-yet-verified person may still open: sign in and out, the second factor, static files."""
    return (
        reverse("login"), reverse("logout"), reverse("twofactor:verify"), reverse("twofactor:setup"),
        reverse("twofactor:new_codes"),
        # The passkey ceremonies (the package refuses a registration by an enrolled person not yet verified).
        "/accounts/2fa/webauthn/",
        "/admin/logout/", settings.STATIC_URL, "/i18n/", "/healthz",
    )


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open = None

    def __call__(self, request):
        if getattr(settings, "TWO_FACTOR_REQUIRED", False) and not self._is_open(request.path_info):
            user = request.user
            if (user.is_authenticated and not services.is_verified(user) and services.required_for(user)
                    and not self._token_request(request)):
                return self._refuse(request, user)
        return self.get_response(request)

    def _is_open(self, path: str) -> bool:
        if self._open is None:
            self._open = _open_paths()
        return any(path == p or (p.endswith("/") and path.startswith(p)) for p in self._open)

    @staticmethod
    def _token_request(request) -> bool:
        return request.headers.get("Authorization", "").lower().startswith(_TOKEN_SCHEMES)

    @staticmethod
    def _refuse(request, user):
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": _("需要先完成第二步验证：请在网页上输入动态验证码后再使用接口。"), "code": "second_factor_required"},
                status=403,
            )
        name = "twofactor:verify" if services.has_factor(user) else "twofactor:setup"
        target = reverse(name)
        if _in_page(request):
            # A script's fetch (the notification badge) or an htmx swap would put the verify page inside the
            # page: it gets a refusal, and htmx is told to load the verify page in place of the whole page.
            response = HttpResponseForbidden(_("需要先完成第二步验证。"), content_type="text/plain; charset=utf-8")
            response["HX-Redirect"] = target
            return response
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)


def _in_page(request) -> bool:
    """Is this a request made from inside a page (fetch, XHR, htmx) rather than the browser opening a page?"""
    mode = request.headers.get("Sec-Fetch-Mode", "")
    return bool(request.headers.get("HX-Request")) or (mode != "" and mode != "navigate")
