import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from wudu.signals import access_event


@pytest.fixture
def required(settings):
    """The second factor required, as in production."""
    settings.TWO_FACTOR_REQUIRED = True
    return settings


@pytest.fixture
def events():
    """Access events sent during the test, as (kind, user, target, detail)."""
    seen = []

    def receiver(sender, kind, request, user, target, detail, **kwargs):
        seen.append((kind, user, target, detail))

    access_event.connect(receiver, weak=False)
    yield seen
    access_event.disconnect(receiver)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` periods of 30 s later), computed from the key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def authenticator():
    """`authenticator(user)`: a confirmed authenticator app of this user."""

    def make(user, name="手机"):
        return TOTPDevice.objects.create(user=user, name=name, confirmed=True)

    return make


@pytest.fixture
def security_admin(cast, monkeypatch):
    """The system administrator of the cast holds the security duty, nobody else does (independent of how the
    three duties are given out)."""
    from grids.models import Role
    from wudu import duties

    holder = cast.user(Role.SYSTEM_ADMIN)
    monkeypatch.setattr(duties, "has_duty",
                        lambda user, duty: duty == duties.Duty.SECURITY and getattr(user, "pk", None) == holder.pk)
    return holder


def recovery_codes(user, *codes: str):
    """Give `user` these recovery codes (stored as digests, as the service stores them)."""
    from wudu.models import RecoveryCode, RecoveryCodes

    device = RecoveryCodes.objects.create(user=user, name="recovery", confirmed=True)
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=RecoveryCode.digest_of(c)) for c in codes)
    return device
