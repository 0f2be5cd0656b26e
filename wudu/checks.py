"""What a production server refuses to start with (system checks, Error): the example file's SECRET_KEY and an
account of the demo that still has the demo's published password.

They run at `manage.py check`, `runserver`, `migrate` (Django runs the checks before most commands) and when the
WSGI application starts (wudu/wsgi.py calls `refuse_insecure_start`), so gunicorn does not serve either. The demo
check costs one query for the demo's usernames and one password hash per account found, stopping at the first
match. Apps say which accounts are the demo's (`register_demo_accounts`, from their AppConfig.ready): the kernel
imports no app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import Error, register, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

TAG = "identity"

_demo_sources: list[Callable[[], tuple[Iterable[str], str]]] = []


def register_demo_accounts(source: Callable[[], tuple[Iterable[str], str]]) -> None:
    """`source()` gives (usernames, password) of accounts a demo creates with a published password."""
    if source not in _demo_sources:
        _demo_sources.append(source)


@register(TAG)
def example_secret_key(app_configs=None, **kwargs):
    if settings.PRODUCTION and settings.SECRET_KEY in settings.EXAMPLE_SECRET_KEYS:
        return [Error("SECRET_KEY is the placeholder of deploy/wudu.env.example: set a random value of 50 characters.",
                      id="wudu.E101")]
    return []


@register(TAG)
def demo_accounts(app_configs=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    by_password: dict[str, set[str]] = {}
    for source in _demo_sources:
        usernames, password = source()
        by_password.setdefault(password, set()).update(usernames)
    names = set().union(*by_password.values()) if by_password else set()
    if not names:
        return []
    try:
        accounts = list(get_user_model().objects.filter(username__in=names, is_active=True)
                        .values_list("username", "password"))
    except DatabaseError:
        return []  # no table yet (before the first migrate): no account at all
    from django.contrib.auth.hashers import check_password

    for username, encoded in accounts:
        for password, usernames in by_password.items():
            if username in usernames and check_password(password, encoded):
                return [Error(
                    f"The account {username!r} of the demo still has the demo's published password: this database "
                    "holds demo data. A production server does not start on it; change or deactivate the demo "
                    "accounts (or load production data).",
                    id="wudu.E102",
                )]
    return []


def refuse_insecure_start() -> None:
    """Raise ImproperlyConfigured when one of these checks fails (the WSGI application's start)."""
    errors = [message for message in run_checks(tags=[TAG]) if message.is_serious()]
    if errors:
        raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg}" for error in errors))
