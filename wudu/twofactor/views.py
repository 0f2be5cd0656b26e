"""The second factor's pages: verify, enrol (QR code, secret, first code, recovery codes once), 账户安全, reset."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import duties
from ..redirects import safe_next
from . import services
from .forms import CodeForm, PasswordConfirmForm, ResetForm, TotpCodeForm
from .webauthn import NEW_CODES_SESSION_KEY


def _qr_data_uri(text: str) -> str:
    """The QR code as an SVG data URI (the CSP allows data: images; nothing is fetched from elsewhere)."""
    svg = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def verify(request):
    user = request.user
    if services.is_verified(user):
        return redirect(safe_next(request, "home"))
    if not services.has_factor(user):
        return redirect("twofactor:setup") if services.required_for(user) else redirect(safe_next(request, "home"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_verify(actor=user, request=request, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_service_error(error, field="code")
        else:
            return redirect(safe_next(request, "home"))
    status = 429 if form.has_error("code", "throttled") else 400 if form.errors else 200
    return render(request, "twofactor/verify.html", {
        "form": form, "next": safe_next(request, "home"),
        "passkey": any(services.factor_kind(d) == "webauthn" for d in services.factors_of(user)),
    }, status=status)


@never_cache
@login_required
def setup(request):
    user, verified = request.user, services.is_verified(request.user)
    if services.has_factor(user) and not verified:
        return redirect(f"{reverse('twofactor:verify')}?next={reverse('twofactor:setup')}")
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_confirm(actor=user, request=request, token=form.cleaned_data["code"],
                                          verified=verified)
        except ValidationError as error:
            form.add_service_error(error, field="code")
        else:
            messages.success(request, _("验证器已绑定。"))
            if codes:
                return _show_codes(request, codes)
            return redirect(safe_next(request, "twofactor:security"))
    enrolment = services.totp_begin(actor=user, verified=verified)
    return render(request, "twofactor/setup.html", {
        "form": form, "qr": _qr_data_uri(enrolment.url), "secret": _grouped(enrolment.secret),
        "first": not services.has_factor(user), "next": safe_next(request, "home"),
    }, status=400 if form.errors else 200)


def _show_codes(request, codes: list[str]):
    """Recovery codes, shown this once (never stored in a page the browser keeps: the views are never_cache)."""
    return render(request, "twofactor/codes.html", {"codes": codes, "next": safe_next(request, "home")})


@never_cache
@login_required
def new_codes(request):
    """The recovery codes that came with a first passkey (kept in the session by its registration), shown once."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(safe_next(request, "twofactor:security"))
    return _show_codes(request, codes)


@never_cache
@login_required
def security(request):
    """账户安全: the person's factors, their recovery codes left, and the changes they may make."""
    user = request.user
    factors = services.factors_of(user)
    has_totp = any(services.factor_kind(d) == "totp" for d in factors)
    return render(request, "twofactor/security.html", {
        "factors": [(device, services.factor_kind(device)) for device in factors],
        "has_totp": has_totp,
        "codes_left": services.recovery_codes_left(user),
        "required": services.required_for(user),
        # With an authenticator app, new codes need its current code; with passkeys only, the password (in this
        # session, which passed the passkey).
        "recovery_form": TotpCodeForm() if has_totp else PasswordConfirmForm(),
        "may_reset": duties.has_duty(user, duties.Duty.SECURITY),
    })


@never_cache
@login_required
@require_POST
def recovery_regenerate(request):
    by_code = services.has_totp(request.user)
    form = TotpCodeForm(request.POST) if by_code else PasswordConfirmForm(request.POST)
    field = "code" if by_code else "password"
    if form.is_valid():
        try:
            codes = services.recovery_codes_regenerate(actor=request.user, request=request,
                                                       **{"token" if by_code else "password": form.cleaned_data[field]})
        except ValidationError as error:
            form.add_service_error(error, field=field)
        else:
            return _show_codes(request, codes)
    for error in form.errors.get(field, []):
        messages.error(request, error)
    return redirect("twofactor:security")


@login_required
@require_POST
def remove(request, device_id: str):
    try:
        services.factor_remove(actor=request.user, request=request, device_id=device_id)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("验证方式已删除。"))
    return redirect("twofactor:security")


@never_cache
@login_required
def reset(request):
    """A security administrator resets the factors of a person who lost them."""
    if not duties.has_duty(request.user, duties.Duty.SECURITY):
        raise PermissionDenied
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The security administrator's duty covers every account of the platform (三权分立), not one place.
        person = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if person is None:
            form.add_error("username", _("没有这个用户名。"))
        else:
            try:
                removed = services.factors_reset(actor=request.user, request=request, person=person,
                                                 reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已重置 %(name)s 的验证方式（删除 %(count)s 项），其下次登录时须重新绑定。")
                                 % {"name": person.get_username(), "count": removed})
                return redirect("twofactor:reset")
    return render(request, "twofactor/reset.html", {"form": form}, status=400 if form.errors else 200)
