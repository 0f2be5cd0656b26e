"""Every API endpoint refuses a token call from a person who must first change their password (the middleware sees
web sessions only): the API base adds `PasswordIsCurrent` to whatever permissions a viewset sets."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver
from knox.models import AuthToken
from rest_framework.test import APIClient

from grids.models import Role, User
from wudu import api_urls
from wudu.api import ScopedViewSet
from wudu.passwords import required_message

pytestmark = pytest.mark.django_db

# Open on purpose: signing in and out (POST/DELETE auth/token/), listing and revoking one's tokens (revoking must
# always work), the schema and its two readers, and the catch-all 404.
OPEN = {"token", "tokens", "schema", "docs", "redoc", None}


def routes(patterns=None, prefix="/api/v1/"):
    """(name, url, method) for every endpoint under /api/v1/, its path arguments filled with a placeholder."""
    for pattern in patterns if patterns is not None else api_urls.urlpatterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + _path(pattern))
            continue
        assert isinstance(pattern, URLPattern)
        view = pattern.callback
        actions = getattr(view, "actions", None)
        cls = getattr(view, "cls", None) or getattr(getattr(view, "view_class", None), "__name__", None)
        if actions:
            methods = [m for m in actions if m not in ("head", "options")]
        elif cls is not None and hasattr(cls, "http_method_names"):
            methods = [m for m in ("get", "post", "patch", "put", "delete") if hasattr(cls, m)]
        else:
            methods = ["get"]
        for method in methods:
            yield pattern.name, prefix + _path(pattern), method


def _path(pattern) -> str:
    regex = pattern.pattern.regex.pattern
    regex = regex.removesuffix("\\Z").removesuffix("$").lstrip("^")
    return re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex).replace("\\", "")


ROUTES = [route for route in routes() if route[0] not in OPEN]


def test_the_walk_finds_every_api_viewset():
    names = {name for name, _url, _method in ROUTES}
    assert {"case-list", "case-detail", "notification-list", "measure-list", "token-rotate"} <= names
    assert len(ROUTES) > 40


@pytest.fixture
def must_change(cast):
    user = User.objects.get(pk=cast.user(Role.COMMAND_CENTER).pk)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    _token, key = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(("name", "url", "method"), ROUTES, ids=[f"{m} {u}" for _n, u, m in ROUTES])
def test_every_endpoint_refuses_a_token_whose_password_must_change(must_change, name, url, method):
    response = getattr(must_change, method)(url, {}, format="json")
    assert response.status_code == 403, (name, response.status_code, response.content[:200])
    assert response.json()["detail"] == required_message("initial")


def test_a_viewset_cannot_define_its_own_get_permissions():
    with pytest.raises(TypeError, match="get_permissions"):
        type("Careless", (ScopedViewSet,), {"get_permissions": lambda self: []})
