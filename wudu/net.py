"""Who is asking, by network address, for the per-address limits of the public pages.

Behind a load balancer every request arrives from the balancer: set NUM_PROXIES to the number of proxies in front
of the web tier, and the client is read from X-Forwarded-For as those proxies appended it (the same rule as DRF's
throttles, which read the same setting). With NUM_PROXIES = 0 the header, which anyone can forge, is ignored.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def ratelimit_key(group, request) -> str:
    """The key function for django-ratelimit."""
    return client_ip(request)
