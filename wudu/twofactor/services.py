"""Who must pass a second factor, the factors a person has, and every change to them.

Writes follow the services' shape (`<entity>_<action>(*, actor, ...)`, one transaction, a message a person
understands) and record an access event (`wudu.signals.record_access`): factor_added, factor_removed,
factor_reset, and login / login_failed for a second-factor check. No code or secret ever goes into an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .. import duties, scope
from ..models import RecoveryCode, RecoveryCodes
from ..signals import record_access

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"
_TOTP_CODE = re.compile(r"^\d{6}$")


# ------------------------------------------------------------------------------------------------------- reads

def required_for(user) -> bool:
    """Must this user pass a second factor before anything else? (Only while TWO_FACTOR_REQUIRED is on.)"""
    if not getattr(settings, "TWO_FACTOR_REQUIRED", False):
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or scope.grants_for(user))


def is_verified(user) -> bool:
    """Has this session passed a second factor? (`is_verified` is installed by django-otp's OTPMiddleware.)"""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def factors_of(user) -> list:
    """The person's confirmed factors (authenticator apps, then passkeys); not the recovery codes."""
    return [d for d in devices_for_user(user, confirmed=True) if not isinstance(d, RecoveryCodes)]


def has_factor(user) -> bool:
    return (TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
            or WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists())


def factor_kind(device) -> str:
    return "webauthn" if isinstance(device, WebAuthnCredential) else "totp"


def has_totp(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def target_of(user) -> str:
    return f"{user._meta.label}:{user.pk}"


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret: str  # base32, as typed into an authenticator app by hand
    url: str     # otpauth://… for the QR code


def _normalised(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


# ------------------------------------------------------------------------------------------------------ writes

def totp_begin(*, actor, verified: bool) -> Enrolment:
    """The authenticator the person is adding (created on first call, the same one until confirmed).

    A person who already has a factor must have passed it in this session: otherwise a stolen password alone
    would let a stranger add their own authenticator."""
    from base64 import b32encode

    if has_factor(actor) and not verified:
        raise PermissionDenied(_("请先用已绑定的验证方式完成验证，再添加新的验证方式。"))
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
        if device is None:
            count = TOTPDevice.objects.devices_for_user(actor, confirmed=True).count()
            name = _("动态验证码") if count == 0 else _("动态验证码 %(n)s") % {"n": count + 1}
            device = TOTPDevice.objects.create(user=actor, name=name, confirmed=False)
    secret = b32encode(device.bin_key).decode()
    return Enrolment(device=device, secret=secret, url=device.config_url)


def totp_confirm(*, actor, request, token: str, verified: bool) -> list[str]:
    """Confirm the pending authenticator with its first code; the session is then verified by it.

    Returns the new recovery codes when the person had none (shown once), else an empty list."""
    if has_factor(actor) and not verified:
        raise PermissionDenied(_("请先用已绑定的验证方式完成验证，再添加新的验证方式。"))
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("pk")
                  .first())
        if device is None:
            raise ValidationError(_("没有待绑定的验证器，请重新开始绑定。"), code="no_pending")
        allowed, _info = device.verify_is_allowed()
        ok = allowed and device.verify_token(_normalised(token))
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = [] if recovery_codes_left(actor) else _new_recovery_codes(actor)
    if not ok:
        raise ValidationError(_("验证码不正确或已过期，请输入验证器上当前显示的 6 位数字。"), code="wrong_code")
    otp_login(request, device)
    record_access("factor_added", request=request, user=actor, target=target_of(actor),
                  detail={"factor": "totp", "name": device.name})
    return codes


def _new_recovery_codes(user) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODE_COUNT new ones (in the caller's transaction).

    Returned to be shown once; only their digests are stored (wudu.models.RecoveryCode)."""
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [RecoveryCode.new_code() for _i in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=RecoveryCode.digest_of(code)) for code in codes)
    return codes


class Throttled(ValidationError):
    pass


def _wait_seconds(devices) -> int:
    """Seconds until one of these devices accepts a try again (0: one accepts now)."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return 0
        until = (info or {}).get("locked_until")
        waits.append(max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1)
    return min(waits) if waits else 0


def second_factor_verify(*, actor, request, token: str):
    """Check a 6-digit code (any of the person's authenticators) or a recovery code (used once).

    On success the session is verified (django-otp remembers the device in it); a wrong code is counted by
    django-otp's throttle (1, 2, 4 … seconds between tries) and recorded as a failed login."""
    token = _normalised(token)
    factor = "totp" if _TOTP_CODE.match(token) else "recovery"
    if factor == "totp":
        devices = list(TOTPDevice.objects.devices_for_user(actor, confirmed=True).order_by("pk"))
    else:
        devices = list(RecoveryCodes.objects.devices_for_user(actor, confirmed=True))
    wait = _wait_seconds(devices)
    if wait:
        record_access("login_failed", request=request, user=actor, target=target_of(actor),
                      detail={"factor": factor, "throttled": True})
        raise Throttled(_("验证码错误次数过多，请 %(seconds)s 秒后再试。") % {"seconds": wait}, code="throttled")
    for device in devices:
        matched = verify_token(actor, device.persistent_id, token)
        if matched is not None:
            otp_login(request, matched)
            record_access("login", request=request, user=actor, target=target_of(actor),
                          detail={"factor": factor, "step": "second_factor"})
            return matched
    record_access("login_failed", request=request, user=actor, target=target_of(actor), detail={"factor": factor})
    raise ValidationError(_("验证码不正确，请重新输入。"), code="wrong_code")


def recovery_codes_regenerate(*, actor, request, token: str = "", password: str = "") -> list[str]:
    """New recovery codes (the old ones stop working), after the person proves again who they are: a current
    6-digit code of their authenticator app, or — for a person whose factors are passkeys only — their password, in
    a session that has passed the passkey (a recovery code never makes new ones)."""
    if has_totp(actor):
        token = _normalised(token)
        if not _TOTP_CODE.match(token):
            raise ValidationError(_("请输入验证器上当前显示的 6 位数字。"), code="wrong_code")
        second_factor_verify(actor=actor, request=request, token=token)
    else:
        _confirm_password(actor=actor, request=request, password=password)
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
    record_access("factor_added", request=request, user=actor, target=target_of(actor),
                  detail={"factor": "recovery", "codes": len(codes)})
    return codes


def _confirm_password(*, actor, request, password: str) -> None:
    """The password again, in a session verified by a passkey. Through `authenticate`, so that django-axes counts a
    wrong one towards the lockout, as on the sign-in page (and the sign-in receivers record the failure)."""
    if not is_verified(actor):
        raise PermissionDenied(_("请先用已绑定的验证方式完成验证。"))
    if not password:
        raise ValidationError(_("请输入登录密码。"), code="required")
    user = authenticate(request=request, username=actor.get_username(), password=password)
    if user is None or user.pk != actor.pk:
        if getattr(request, "axes_locked_out", False):
            raise Throttled(_("密码连续输错次数过多，账号已暂时锁定，请稍后再试或联系系统管理员。"), code="throttled")
        raise ValidationError(_("密码不正确，请重新输入。"), code="wrong_password")


def factor_remove(*, actor, request, device_id: str) -> None:
    """Remove one of the person's factors (by its persistent id, "otp_totp.totpdevice/3"); never the last one
    while a second factor is required."""
    from django_otp.models import Device

    with transaction.atomic():
        try:
            device = Device.from_persistent_id(device_id, for_verify=True)
        except AttributeError:  # a model that is no device ("grids.user/1"): django-otp filters on None
            device = None
        if device is None or device.user_id != actor.pk or isinstance(device, RecoveryCodes):
            raise ValidationError(_("没有找到这个验证方式。"), code="not_found")
        others = [d for d in factors_of(actor) if d.persistent_id != device.persistent_id]
        if device.confirmed and not others and required_for(actor):
            raise ValidationError(_("这是您唯一的验证方式，不能删除：请先添加另一种验证方式。"), code="last_factor")
        name, kind = device.name, factor_kind(device)
        session_device = getattr(request.user, "otp_device", None)
        was_session_device = session_device is not None and session_device.persistent_id == device.persistent_id
        device.delete()
    if was_session_device and others:
        otp_login(request, others[0])  # the session stays verified: it was, and the person keeps a factor
    record_access("factor_removed", request=request, user=actor, target=target_of(actor),
                  detail={"factor": kind, "name": name})


def webauthn_registered(*, actor, request, device) -> list[str]:
    """A passkey was registered (by django-otp-webauthn's view): recorded; the first factor brings recovery codes,
    returned to be shown once."""
    with transaction.atomic():
        if not device.name:
            count = WebAuthnCredential.objects.filter(user=actor).count()
            device.name = _("通行密钥") if count <= 1 else _("通行密钥 %(n)s") % {"n": count}
            device.save(update_fields=["name"])
        codes = [] if recovery_codes_left(actor) else _new_recovery_codes(actor)
    record_access("factor_added", request=request, user=actor, target=target_of(actor),
                  detail={"factor": "webauthn", "name": device.name})
    return codes


def factors_reset(*, actor, request, person, reason: str) -> int:
    """A security administrator removes every factor (and recovery code) of a person who lost theirs: at their
    next request they must enrol again. Nobody resets their own. Returns how many devices were removed."""
    if not duties.has_duty(actor, duties.Duty.SECURITY):
        raise PermissionDenied(_("只有安全管理员可以重置他人的验证方式。"))
    if person.pk == actor.pk:
        raise ValidationError(_("不能重置自己的验证方式：请另一位安全管理员办理。"), code="own")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重置原因。")}, code="required")
    with transaction.atomic():
        removed = 0
        for device in list(devices_for_user(person, confirmed=None)):
            device.delete()
            removed += 1
    record_access("factor_reset", request=request, user=actor, target=target_of(person),
                  detail={"reason": reason, "devices": removed})
    return removed
