"""Where to send a user back to: a target read from the request (`next`) only if it stays on this site.

Every view that redirects to a target taken from input goes through `safe_next`; a link or form crafted
elsewhere (`next=https://evil.example/…`, `//evil.example`, `/\\evil.example`, `javascript:`) then lands on
the view's own default instead. Django's sign-in and language views check their `next` the same way.
"""

from __future__ import annotations

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str, *, field: str = "next") -> str:
    """The request's `next` (POST, then the query string) if it points into this site, else `default`.

    `default` is a URL name or a path, resolved as `redirect()` would. Over HTTPS an http:// target of the same
    host is refused too (it would leave the secure site).
    """
    target = request.POST.get(field) or request.GET.get(field) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
    ):
        return target
    return resolve_url(default)
