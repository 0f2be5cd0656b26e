from django.utils.deprecation import MiddlewareMixin


class ChineseFirstMiddleware(MiddlewareMixin):
    """Simplified Chinese unless the user picked another language with the switch (cookie).

    A browser's Accept-Language (often en-US on borrowed or work phones) does not switch the UI: the
    platform is Chinese by default, English on request.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
