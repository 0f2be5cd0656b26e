"""Messages to a person's mobile outside the app (SMS, WeChat): the kernel's door, which an app fills.

The notice channels (NOTIFY_CHANNELS: log, sms, wechat …) belong to `cases.notify`; the kernel cannot import an
app, so cases registers its sender here (CasesConfig.ready) and the kernel's reset links go through it.
"""

from __future__ import annotations

from collections.abc import Callable

_senders: list[Callable[[str, str], None]] = []


def register(sender: Callable[[str, str], None]) -> None:
    """`sender(mobile, message)`: sends one message through the configured channels."""
    if sender not in _senders:
        _senders.append(sender)


def send_to_mobile(mobile: str, message: str) -> bool:
    """Send through every registered sender; False when none is registered (nothing could carry it)."""
    if not mobile or not _senders:
        return False
    for sender in _senders:
        sender(mobile, message)
    return True
