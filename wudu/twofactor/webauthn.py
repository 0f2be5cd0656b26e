"""WebAuthn (a security key, the phone's passkey) through django-otp-webauthn, as a second factor only.

The package's views do the ceremonies; these subclasses add what the platform asks of every factor change and
check: the access events (factor_added, login, login_failed with factor "webauthn") and, for a first factor, the
recovery codes, kept in the session until the page that shows them once (`views.new_codes`). Its script is served
from our static files and reads its options from a JSON block: nothing inline, nothing from elsewhere (CSP).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as package

from ..signals import record_access
from . import services

NEW_CODES_SESSION_KEY = "twofactor_new_codes"


def _device_of(response):
    import json

    from django_otp_webauthn.models import WebAuthnCredential

    try:
        pk = json.loads(response.content)["id"]
    except (ValueError, KeyError, TypeError):
        return None
    return WebAuthnCredential.objects.filter(pk=pk).first()


class CompleteRegistration(package.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        device = _device_of(response) if response.status_code == 200 else None
        if device is not None:
            codes = services.webauthn_registered(actor=self.request.user, request=self.request, device=device)
            if codes:
                self.request.session[NEW_CODES_SESSION_KEY] = codes
        return response


class CompleteAuthentication(package.CompleteCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        user = self.request.user
        try:
            response = super().post(*args, **kwargs)
        except Exception:
            record_access("login_failed", request=self.request, user=user if user.is_authenticated else None,
                          target=services.target_of(user) if user.is_authenticated else "",
                          detail={"factor": "webauthn"})
            raise
        if isinstance(response, JsonResponse) and response.status_code == 200:
            record_access("login", request=self.request, user=user, target=services.target_of(user),
                          detail={"factor": "webauthn", "step": "second_factor"})
        return response


app_name = "otp_webauthn"

urlpatterns = [
    path("registration/begin/", package.BeginCredentialRegistrationView.as_view(),
         name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", package.BeginCredentialAuthenticationView.as_view(),
         name="credential-authentication-begin"),
    path("authentication/complete/", CompleteAuthentication.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
