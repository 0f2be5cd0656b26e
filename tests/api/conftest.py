import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from grids.models import User


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters and lockouts live in the cache; every test starts without any."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_as(cast):
    """`api_as(Role.X)` (or a user): a client signed in as the cast member holding that role.

    Each client gets its own copy of the user, so grants cached on it do not leak between clients.
    """

    def client_for(role_or_user) -> APIClient:
        user = role_or_user if isinstance(role_or_user, User) else cast.user(role_or_user)
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user.pk))
        return client

    return client_for


@pytest.fixture
def token_client(cast):
    """`token_client(Role.X)`: a client sending a real token, as apps do (the token lookup is one of the queries)."""
    from knox.models import AuthToken

    def client_for(role) -> APIClient:
        client = APIClient()
        _token, key = AuthToken.objects.create(user=cast.user(role))
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return client_for
