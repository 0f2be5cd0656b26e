"""API tokens (等保 身份鉴别): stored hashed, expiring, one per device, rotated and revoked by their holder.

django-rest-knox keeps a SHA-512 digest of each token and its first 15 characters (`token_key`, shown in the audit
to tell tokens apart); the key itself exists only in the answer that issued it. A token expires
API_TOKEN_TTL_HOURS after it was issued or rotated, and never later than API_TOKEN_MAX_LIFETIME_DAYS after the
person signed in for it: a rotated token keeps the sign-in time as its `created`, so rotating cannot stretch one
sign-in forever (past the cap the app signs in again, with the password and the second factor). A person holds at
most API_TOKENS_PER_USER tokens (one per device): signing in on one more revokes the oldest. A deactivated person's tokens stop working at once (checked on
every request). Clients keep sending `Authorization: Token <key>`.

Signing out of the web session leaves the API tokens alone (a phone keeps working); "sign out everywhere"
(wudu/signout.py) ends every session and revokes every token.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework import exceptions

from .duties import Duty, has_duty
from .signals import record_access


class TokenGone(Exception):
    """The token was revoked (or rotated) by another request in the meantime."""


class TokenTooOld(Exception):
    """The token's sign-in is API_TOKEN_MAX_LIFETIME_DAYS old: it is not rotated, the person signs in again."""


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, in one query: the token is found by its digest (the primary key).

    knox's own also reads every other token of the person on each request to purge the expired ones; here they
    are purged when the person signs in again, so a request costs what it did with DRF's plain tokens.
    """

    def authenticate_credentials(self, token: bytes):
        try:
            digest = hash_token(token.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, TypeError):
            raise exceptions.AuthenticationFailed(_("认证令牌无效。")) from None
        auth_token = AuthToken.objects.select_related("user").filter(digest=digest).first()
        if auth_token is None:
            raise exceptions.AuthenticationFailed(_("认证令牌无效。"))
        if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
            auth_token.delete()
            raise exceptions.AuthenticationFailed(_("API 令牌已过期，请重新登录获取新令牌。"))
        return self.validate_user(auth_token)  # a deactivated person is refused here


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "wudu.tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, the key from POST /api/v1/auth/token/. It expires at its `expiry` "
                           f"({settings.API_TOKEN_TTL_HOURS:g} hours after it was issued or rotated) and can be "
                           "revoked; then the answer is 401.",
        }


def token_lifetime() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def signed_in_until(token: AuthToken):
    """The absolute end of the sign-in behind `token` (its `created`, kept across rotations)."""
    return token.created + timedelta(days=settings.API_TOKEN_MAX_LIFETIME_DAYS)


def _record(kind: str, token: AuthToken, *, request, actor, **detail) -> None:
    # Only the token_key (the stored, non-secret first characters), never the key.
    record_access(kind, request=request, user=actor, target=f"{settings.AUTH_USER_MODEL}:{token.user_id}",
                  detail={"token": token.token_key, **detail})


def tokens_of(user) -> list[AuthToken]:
    """The person's tokens still valid, newest first (one per device)."""
    return list(AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created"))


@transaction.atomic
def token_issue(*, actor, request=None) -> tuple[AuthToken, str]:
    """A new token for `actor`, who has just proved who they are; returns the row and the key (shown once).

    The person's expired tokens are purged; past API_TOKENS_PER_USER the oldest are revoked.
    """
    AuthToken.objects.filter(user=actor, expiry__lte=timezone.now()).delete()
    keep = settings.API_TOKENS_PER_USER - 1
    for old in AuthToken.objects.filter(user=actor).order_by("-created", "-digest")[keep:]:
        old.delete()
        _record("token_revoked", old, request=request, actor=actor, reason="limit")
    token, key = AuthToken.objects.create(user=actor, expiry=token_lifetime())
    _record("token_issued", token, request=request, actor=actor)
    return token, key


@transaction.atomic
def token_rotate(*, actor, token: AuthToken, request=None) -> tuple[AuthToken, str]:
    """A new token in place of `token`, which stops working at once. Rotating one token twice: the second fails.

    The new token keeps the sign-in time (`created`) of the one it replaces, and expires a full lifetime from now
    but never past API_TOKEN_MAX_LIFETIME_DAYS after that sign-in; once there, rotation is refused (TokenTooOld)."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    now = timezone.now()
    until = signed_in_until(token)
    if until <= now:
        raise TokenTooOld
    deleted, _rows = AuthToken.objects.filter(digest=token.digest).delete()
    if not deleted:
        raise TokenGone
    _record("token_revoked", token, request=request, actor=actor, reason="rotated")
    new, key = AuthToken.objects.create(user=actor, expiry=token_lifetime())
    new.created, new.expiry = token.created, min(new.expiry, until)
    AuthToken.objects.filter(digest=new.digest).update(created=new.created, expiry=new.expiry)
    _record("token_issued", new, request=request, actor=actor, replaces=token.token_key)
    return new, key


@transaction.atomic
def token_revoke(*, actor, token: AuthToken, request=None) -> None:
    """The token stops working (its holder signs the app out)."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    deleted, _rows = AuthToken.objects.filter(digest=token.digest).delete()
    if not deleted:
        raise TokenGone
    _record("token_revoked", token, request=request, actor=actor, reason="revoked")


@transaction.atomic
def token_revoke_all(*, actor, user=None, request=None, reason: str = "revoked_all") -> int:
    """Every token of `user` (default: the actor) stops working; returns how many there were.

    A person revokes their own; revoking someone else's (a lost phone, a password reset by an administrator) is the
    security or system administrator's.
    """
    user = user or actor
    if user.pk != actor.pk and not (has_duty(actor, Duty.SECURITY) or has_duty(actor, Duty.SYSTEM)):
        raise PermissionDenied
    tokens = list(AuthToken.objects.select_for_update().filter(user=user))
    AuthToken.objects.filter(digest__in=[t.digest for t in tokens]).delete()
    for token in tokens:
        _record("token_revoked", token, request=request, actor=actor, reason=reason)
    return len(tokens)


def second_factor_required(user) -> bool:
    """Must this person give a one-time code with their password to get a token? Under TWO_FACTOR_REQUIRED, every
    account; otherwise whoever has set up a second factor (it would be pointless if the API skipped it)."""
    return bool(getattr(settings, "TWO_FACTOR_REQUIRED", False)) or has_second_factor(user)


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def second_factor_matches(user, code: str) -> bool:
    """A current code of one of the person's confirmed devices (TOTP, or an unused recovery code)."""
    return match_token(user, code.strip()) is not None
