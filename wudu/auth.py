"""Password guessing is slowed without letting a stranger lock a victim out.

Two limits work together:

- django-axes locks a *username at one address* after 5 failures for an hour (settings.AXES_*). The address is read
  as everywhere else (`wudu.net.client_ip`, which honours NUM_PROXIES behind the load balancer): before, every user
  had the balancer's address, and five wrong passwords locked an account for everyone.
- Guessing one account from many addresses meets a per-username *back-off* instead of a lock: after
  LOGIN_BACKOFF_FREE failures within an hour, each further attempt must wait 2, 4, 8 … seconds (at most
  LOGIN_BACKOFF_MAX_SECONDS) after the last failure. A refused attempt is not counted and is answered with the
  time to wait. A browser the account has signed in from before (a signed device cookie, OWASP's "device
  cookie") is not slowed, so the account's owner keeps working while a stranger guesses.

The back-off is an authentication backend placed first: every `authenticate(request=…)` (the login page, the
admin's, the API token endpoint) goes through it.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature
from django.dispatch import receiver

from . import sessions
from .signals import record_access

DEVICE_COOKIE = "wudu_device"
_DEVICE_SALT = "wudu.auth.device"
_DEVICE_AGE = 180 * 24 * 3600
_WINDOW = 3600


def _free() -> int:
    return getattr(settings, "LOGIN_BACKOFF_FREE", 10)


def _max_wait() -> int:
    return getattr(settings, "LOGIN_BACKOFF_MAX_SECONDS", 300)


def _now() -> float:
    return time.time()


def _digest(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]


def _state_key(username: str) -> str:
    return f"login-backoff:{_digest(username)}"


def wait_seconds(username: str) -> int:
    """How long an attempt on this username must still wait (0: it may go ahead)."""
    count, last = cache.get(_state_key(username), (0, 0.0))
    if count < _free():
        return 0
    wait = min(2 ** (count - _free() + 1), _max_wait())
    return max(0, math.ceil(last + wait - _now()))


def _record_failure(username: str) -> None:
    key = _state_key(username)
    count, _last = cache.get(key, (0, 0.0))
    cache.set(key, (count + 1, _now()), _WINDOW)


def _known_devices(request) -> list[str]:
    try:
        value = request.get_signed_cookie(DEVICE_COOKIE, salt=_DEVICE_SALT, max_age=_DEVICE_AGE)
    except (KeyError, BadSignature):
        return []
    return value.split(",") if value else []


def known_device(request, username: str) -> bool:
    return _digest(username) in _known_devices(request)


class BackoffBackend:
    """Refuses (PermissionDenied stops Django's loop over the backends) while the username is backing off.

    Deliberately no `get_user` (nor BaseBackend's): it never signs anyone in, so a session must never name it (the
    test client's force_login picks the first backend that has one)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username or known_device(request, username):
            return None
        wait = wait_seconds(username)
        if wait:
            request.wudu_backoff = wait
            raise PermissionDenied
        return None


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or ""
    if username and not getattr(request, "wudu_backoff", 0):
        _record_failure(username)


@receiver(user_logged_in)
def _remember_device(sender, request, user, **kwargs):
    if request is not None:
        devices = [d for d in _known_devices(request) if d != _digest(user.get_username())]
        # A shared phone remembers the last few accounts signed in on it.
        request.wudu_device_cookie = ",".join([_digest(user.get_username()), *devices][:5])


class DeviceCookieMiddleware:
    """Writes the device cookie chosen at login (signals have no response to write on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = getattr(request, "wudu_device_cookie", None)
        if value:
            response.set_signed_cookie(DEVICE_COOKIE, value, salt=_DEVICE_SALT, max_age=_DEVICE_AGE, httponly=True,
                                       secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        return response


# ---------------------------------------------------------------------------------------------- access events
# Every sign-in, failure and sign-out, whatever the page (ours, the admin's, the API's token endpoint), is an access
# event of the audit (wudu.signals). The username typed is kept for failures (guessing shows as a pattern); the
# password never is.


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    if request is not None and "_auth_user_id" in getattr(request, "session", {}):
        sessions.start(request.session)  # the idle and absolute clocks of this session (Django gave it a new key)
    record_access("login", request=request, user=user, target=f"{user._meta.label}:{user.pk}")


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs):
    # A sign-out that recorded itself with more to say (sign out everywhere: how many sessions and tokens) is one event.
    if user is not None and not getattr(request, "wudu_logout_recorded", False):
        reason = getattr(request, "wudu_logout_reason", "") if request is not None else ""
        record_access("logout", request=request, user=user, target=f"{user._meta.label}:{user.pk}",
                      detail={"reason": reason} if reason else {})


@receiver(user_login_failed)
def _record_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    detail = {"username": username}
    if getattr(request, "wudu_backoff", 0):
        detail["backoff_seconds"] = request.wudu_backoff
    if getattr(request, "axes_locked_out", False):
        detail["locked_out"] = True
    record_access("login_failed", request=request, user=None, detail=detail)
