"""Signed-in sessions end when left idle and after a fixed span, however busy (等保 身份鉴别, ASVS V3.3).

The session keeps when it began and when it was last used (epoch seconds, set at sign-in by `start`). A request
past SESSION_IDLE_TIMEOUT_MINUTES of silence, or past SESSION_ABSOLUTE_HOURS since sign-in, is signed out — the
session is flushed on the server, so its cookie is worth nothing after — and a page is sent to the sign-in page
with a message; an API call goes on as anonymous (DRF answers 401/403). The last-use stamp is written at most once
a minute, so a busy user does not write their session on every request.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

STARTED = "_wudu_started"
SEEN = "_wudu_seen"
_TOUCH_EVERY = 60


def _now() -> float:
    return time.time()


def start(session) -> None:
    now = int(_now())
    session[STARTED] = now
    session[SEEN] = now


def ended(session, now: float) -> str:
    """Why this signed-in session has ended ("idle", "absolute") or ""."""
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        return ""
    if now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    if now - seen > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
        return "idle"
    return ""


class SessionTimeoutMiddleware:
    """Goes after AuthenticationMiddleware and MessageMiddleware, before anything that reads request.user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if "_auth_user_id" in session:
            now = _now()
            reason = ended(session, now)
            if reason:
                request.wudu_logout_reason = reason
                logout(request)  # flushes the session on the server; user_logged_out records it
                if not request.path.startswith(("/api/", "/open311/")):
                    messages.info(request, _("您已长时间未操作，为保护账号安全已自动退出，请重新登录。")
                                  if reason == "idle" else _("登录已超过有效时长，请重新登录。"))
                    return redirect_to_login(request.get_full_path())
            elif session.get(SEEN) is None:
                start(session)  # a session from before this rule: its clock starts now
            elif now - session[SEEN] >= _TOUCH_EVERY:
                session[SEEN] = int(now)
        return self.get_response(request)
