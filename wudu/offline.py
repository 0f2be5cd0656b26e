"""The pages a phone keeps for when there is no signal, and the service worker that keeps them (issue 15).

The service worker is served from the site's root (`/sw.js`) so that its scope covers every page. Signed-in pages
register it (static/js/app.js); on the first visit it stores the static files the pages use and the pages that
the apps name for the person here (`register`; the worker asks `pages`, so a page pays nothing for it): a grid worker's home, today's patrol, their open cases and the
recent ledger open with no signal from then on. Pages are fetched from the network whenever there is one; the
stored copy answers only when there is none. Signing out empties the store (templates/sw.js).

The kernel imports no app: each app names its pages from its AppConfig.ready (`offline.register(pages)`), where
`pages(user)` returns the paths to keep for that user (none for most people).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.storage import storages
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

PagesFor = Callable[[object], Iterable[str]]
_providers: list[PagesFor] = []

# The static files every page needs, stored at install; the others are stored as pages ask for them.
SHELL = ("vendor/bootstrap/bootstrap.min.css", "css/app.css", "js/app.js")


def register(pages: PagesFor) -> None:
    if pages not in _providers:
        _providers.append(pages)


def pages_for(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(dict.fromkeys(path for provider in _providers for path in provider(user)))


@login_required
def pages(request):
    """The paths this person keeps, asked by the service worker (at most every few minutes), not by every page."""
    response = JsonResponse({"pages": pages_for(request.user)})
    response["Cache-Control"] = "no-store"
    return response


def service_worker(request):
    shell = [static(name) for name in SHELL]
    # The cache's name changes with the files' (hashed) names, so a new release replaces the old copies.
    version = hashlib.sha256(" ".join(shell).encode()).hexdigest()[:12]
    # Hashed names (the manifest storage) never change content: stored copies answer first. Plain names (a
    # developer's DEBUG run) may: the network answers first there.
    hashed = isinstance(storages["staticfiles"], ManifestFilesMixin) and not settings.DEBUG
    response = render(request, "sw.js", {
        "shell": shell, "version": version, "hashed": hashed, "static_prefix": settings.STATIC_URL,
        "pages_url": reverse("offline_pages"),
    }, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response
