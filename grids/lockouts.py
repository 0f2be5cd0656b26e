"""Locked accounts (django-axes): the security administrator lists them and releases one, with a reason.

Axes locks a username at one address after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_TIME hours
(wudu/auth.py). Releasing a username removes its failure records at every address; the release is an access
event (`lockout_reset`) with the reason, so the audit shows who let whom back in and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wudu import scope
from wudu.duties import Duty, has_duty
from wudu.signals import record_access

from .models import User


@dataclass(frozen=True)
class Lockout:
    username: str
    failures: int
    last_attempt: datetime
    addresses: int


def locked_accounts() -> list[Lockout]:
    """Usernames locked now (at one address or more), the most recent first."""
    limit = get_failure_limit(None, None)
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=limit)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    rows = (attempts.values("username")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"),
                      addresses=Count("ip_address", distinct=True))
            .order_by("-last"))
    return [Lockout(row["username"] or "", row["failures"], row["last"], row["addresses"]) for row in rows]


def lockout_release(*, actor, username: str, reason: str, request=None) -> int:
    """Release a locked username (its failures at every address are forgotten). Returns the records removed."""
    if not has_duty(actor, Duty.SECURITY):
        raise scope.PermissionDenied(_("只有安全管理员可以解除账号锁定。"))
    username = (username or "").strip()
    if username.lower() == actor.get_username().lower():
        raise scope.PermissionDenied(_("不能解除本人账号的锁定，请由另一位安全管理员办理。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写解除锁定的原因。")}, code="reason_required")
    if not AccessAttempt.objects.filter(username=username).exists():
        raise ValidationError({"username": _("账号 %(name)s 未被锁定。") % {"name": username}}, code="not_locked")
    removed = AxesProxyHandler.reset_attempts(username=username)
    person = User.objects.filter(username=username).values_list("pk", flat=True).first()
    record_access("lockout_reset", request=request, user=actor, target=f"grids.User:{person}" if person else "",
                  detail={"username": username, "reason": reason[:200], "removed": removed})
    return removed
