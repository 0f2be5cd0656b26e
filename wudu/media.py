"""Stored photos, served by the app after the scope gate said yes, in every mode.

A photo keeps its address (`photo.image.url`, under MEDIA_URL), so pages and serializers do not change; what
changed is who gets the bytes. The kernel does not know the apps, so each app registers the models that own
files, from its AppConfig.ready():

    media.register(VisitPhoto, fields=("image", "thumbnail"),
                   visible=lambda user, photos: photos.filter(visit__in=Visit.objects.visible_to(user)))

`visible(user, queryset)` narrows the owner rows (already filtered to the requested path) to those the user may
see, starting from the gate; it is called for anonymous visitors too (public photos: the grid notice). A file
may have several owners (a visit's photo copied to the case made from it); anyone of them saying yes is
enough. The owners are asked in one query (a UNION of indexed lookups), whatever their number.

A path with no owner, an owner the user may not see and a missing file all answer the same 404. Behind nginx
(`MEDIA_ACCEL_REDIRECT`, e.g. "/_protected_media/", an `internal` location aliased to MEDIA_ROOT; see
deploy/nginx.conf) the app answers with X-Accel-Redirect and an empty body and nginx sends the file.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import models
from django.db.models import Q, Value
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import re_path
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

# Photos never change under a name (each upload gets a fresh uuid name), but access may be withdrawn: a browser
# keeps one for a while, no shared cache ever does.
CACHE_CONTROL = "private, max-age=3600"

Visible = Callable[[object, models.QuerySet], models.QuerySet]


@dataclass(frozen=True)
class Owner:
    model: type[models.Model]
    fields: tuple[str, ...]
    visible: Visible


_OWNERS: dict[str, Owner] = {}


def register(model: type[models.Model], *, visible: Visible, fields: tuple[str, ...] = ("image", "thumbnail")) -> None:
    """Declare that `model` stores files in `fields`, readable by the users `visible` lets through."""
    _OWNERS[model._meta.label_lower] = Owner(model, tuple(fields), visible)


def owners() -> tuple[Owner, ...]:
    return tuple(_OWNERS.values())


def clean_path(path: str) -> str | None:
    """The storage name behind a requested path, or None for anything that is not a plain relative name."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    if any(part in ("", ".", "..") for part in path.split("/")):
        return None
    return path


def may_read(user, name: str) -> bool:
    """Does any owner of the file `name` let the user see it? One query (none when every gate is closed)."""
    queries = []
    for owner in owners():
        match = Q()
        for field in owner.fields:
            match |= Q(**{field: name})
        rows = owner.visible(user, owner.model._default_manager.filter(match))
        queries.append(rows.order_by().values_list(Value(1)))
    if not queries:
        return False
    first, *rest = queries
    return first.union(*rest, all=True).exists() if rest else first.exists()


@require_safe
def serve(request: HttpRequest, path: str) -> HttpResponse:
    name = clean_path(path)
    if name is None or not may_read(request.user, name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    accel = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    else:
        try:
            full = safe_join(settings.MEDIA_ROOT, name)
            stat = os.stat(full)
        except (OSError, SuspiciousFileOperation):
            raise Http404 from None
        if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
            response = HttpResponseNotModified()
        else:
            # FileResponse closes the file once sent.
            response = FileResponse(open(full, "rb"), content_type=content_type)
            response["Content-Length"] = stat.st_size
        response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def urlpatterns() -> list:
    """The route of MEDIA_URL (a path on this site, e.g. "/media/") to the gated view."""
    prefix = settings.MEDIA_URL
    if not prefix.startswith("/"):
        return []  # files on another host (object storage) are that host's business
    return [re_path(rf"^{re.escape(prefix.lstrip('/'))}(?P<path>.+)$", serve, name="media")]
