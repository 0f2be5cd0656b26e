"""Passwords (等保 身份鉴别): history, expiry, the change forced on an administrator's password, reset links.

- `HistoryValidator` (in AUTH_PASSWORD_VALIDATORS) refuses one of the person's last PASSWORD_HISTORY_COUNT
  passwords; Django calls its `password_changed` after every save of a new password, which keeps the history.
- `change_required(user)`: an administrator chose the password (`must_change_password`, set by
  grids.services.person_set_password and on appointment) or it is older than PASSWORD_MAX_AGE_DAYS.
  `PasswordChangeRequiredMiddleware` sends such a user to the change page until done; the API answers 403.
- `send_reset_link(user, request)`: the one-time link to choose a password, to the person's mobile through the
  notice channels (wudu.outside), or by e-mail to a person without one. The link is never logged. A link the person
  asks for themselves goes through the outbox (`reset_link_deliver`, from `tasks.password_reset_link_task`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.hashers import check_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from . import outbox, outside
from .models import PasswordHistory
from .signals import record_access


class HistoryValidator:
    """Refuses a password the person used among their last `count` (the current one included)."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent(self, user) -> list[str]:
        if user is None or user.pk is None or self.count <= 0:
            return []
        return list(PasswordHistory.objects.filter(user_id=user.pk).order_by("-id")
                    .values_list("password", flat=True)[: self.count])

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.count <= 0:
            return
        # The stored hash is the current password even before any history (accounts older than the history).
        hashes = [*self._recent(user), user.password]
        if any(encoded and check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("新密码不能与最近使用过的 %(count)d 个密码相同。") % {"count": self.count}, code="password_reused"
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or self.count <= 0 or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = list(PasswordHistory.objects.filter(user_id=user.pk).order_by("-id").values_list("id", flat=True)
                    [: self.count])
        PasswordHistory.objects.filter(user_id=user.pk).exclude(id__in=keep).delete()

    def get_help_text(self):
        return _("新密码不能与最近使用过的 %(count)d 个密码相同。") % {"count": self.count}


def expired(user, now: datetime.datetime | None = None) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    changed = getattr(user, "password_changed_at", None)
    if days <= 0 or changed is None:
        return False
    return (now or timezone.now()) - changed > datetime.timedelta(days=days)


def change_required(user) -> str:
    """Why this signed-in user must change their password first ("" when they need not)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if getattr(user, "must_change_password", False):
        return "initial"
    return "expired" if expired(user) else ""


def required_message(reason: str) -> str:
    if reason == "expired":
        return _("您的密码已超过 %(days)d 天未修改，请先修改密码。") % {"days": settings.PASSWORD_MAX_AGE_DAYS}
    return _("您的密码由管理员设置，请先修改为只有您自己知道的密码。")


# Pages a user who must change their password still reaches: the account pages (sign-in and out, the change
# itself, the second factor's), the language switch and static files.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class PasswordChangeRequiredMiddleware:
    """Sends a signed-in user whose password must change to the change page (HTML), or answers 403 (API),
    until they have changed it. Goes after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_OPEN_PREFIXES):
            reason = change_required(request.user)
            if reason:
                return refuse(request, reason)
        return self.get_response(request)


def refuse(request, reason: str):
    message = required_message(reason)
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"detail": message, "code": "password_change_required"}, status=403,
                            json_dumps_params={"ensure_ascii": False})
    messages.warning(request, message)
    return redirect(f"{reverse('password_change')}")


class PasswordIsCurrent(BasePermission):
    """The API's side of the middleware, for token-authenticated requests (the middleware sees sessions only)."""

    message = _("请先在网页上修改密码，再使用接口。")
    code = "password_change_required"

    def has_permission(self, request, view):
        reason = change_required(request.user)
        if reason:
            self.message = required_message(reason)
        return not reason


# ---------------------------------------------------------------------------------------------- reset links


def reset_url(user) -> str:
    base = (settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000").rstrip("/")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return base + reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


def send_reset_link(user, *, request=None) -> str:
    """Send the person a link to choose a password; the channel it went by ("sms", "email" or "" for none).

    The link is built here and handed to the channel only: never logged, never returned."""
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    message = _("【网格通】%(name)s，请在 %(minutes)d 分钟内打开以下链接设置登录密码：%(url)s 如非本人操作请忽略。") % {
        "name": user.display_name if hasattr(user, "display_name") else user.get_username(),
        "minutes": minutes, "url": reset_url(user)}
    mobile = getattr(user, "mobile", "")
    if mobile and outside.send_to_mobile(mobile, message):
        return "sms"
    if user.email:
        send_mail(_("网格通：设置登录密码"), message, None, [user.email])
        return "email"
    return ""


def reset_link_deliver(*, user_id: int, key: str) -> str:
    """The outbox's side of a reset the person asked for (`tasks.password_reset_link_task`): send the link once per
    message key to an account still active, and record by which channel it went."""
    from django.contrib.auth import get_user_model

    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return ""
    with outbox.once(f"password_reset:{key}") as first:
        channel = send_reset_link(user) if first else ""
    if first:
        record_access("password_reset", user=None, target=f"{user._meta.label}:{user.pk}",
                      detail={"stage": "link_sent", "channel": channel})
    return channel
