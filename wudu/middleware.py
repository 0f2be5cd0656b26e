from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _


class ChineseFirstMiddleware(MiddlewareMixin):
    """Simplified Chinese unless the user picked another language with the switch (cookie).

    A browser's Accept-Language (often en-US on borrowed or work phones) does not switch the UI: the
    platform is Chinese by default, English on request.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)


class RequestSizeLimitMiddleware:
    """Refuse a request body over REQUEST_MAX_BODY_BYTES before anything reads it (413).

    Django caps the form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) and the number of files, but streams any size of file
    upload to disk: without this an anonymous 100 MB multipart body was read in full. Django reads no body that does
    not declare its length, so the declared length is the one to check. The proxy in front caps the same (deploy/).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BODY_BYTES
        if length > limit:
            message = _("提交的内容过大（%(size)d MB，最多 %(limit)d MB）：请减少照片数量或先缩小照片后再提交。") % {
                "size": -(-length // (1024 * 1024)), "limit": limit // (1024 * 1024)}
            if request.path.startswith(("/api/", "/open311/")):
                return JsonResponse({"detail": message, "code": "too_large"}, status=413,
                                    json_dumps_params={"ensure_ascii": False})
            html = render_to_string("413.html", {"message": message}, request=request)
            response = HttpResponse(html, status=413)
            response["Connection"] = "close"  # the unread body is not worth keeping the connection for
            return response
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy on every answer, and `Cache-Control: private,
    no-store` on every answer that may hold personal data, so that nothing of it stays in a shared phone's
    browser cache or in a proxy.

    Personal here means: an answer to a signed-in user (a session that belongs to someone, or an API token in the
    Authorization header) and every download (`Content-Disposition: attachment`, the exports). A view that
    declared its answer `public` (the grid map, a QR code: the same for everyone) keeps that for a signed-in user
    too. Static files (WhiteNoise, inside this middleware) and public pages for visitors stay cacheable.
    """

    NO_STORE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.PERMISSIONS_POLICY
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = ", ".join(
                f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())
        cache_control = response.get("Cache-Control", "")
        if "no-store" not in cache_control and self._personal(request, response, cache_control):
            response["Cache-Control"] = self.NO_STORE
            if "Expires" in response:
                del response["Expires"]
        return response

    @staticmethod
    def _personal(request, response, cache_control: str) -> bool:
        if "attachment" in response.get("Content-Disposition", "").lower():
            return True
        if "public" in (part.strip() for part in cache_control.lower().split(",")):
            return False
        if request.META.get("HTTP_AUTHORIZATION"):
            return True
        # Only a request with a session cookie can be signed in: a visitor without one costs no query here.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        return bool(getattr(user, "is_authenticated", False))
