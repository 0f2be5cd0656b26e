"""Sign out everywhere: every web session and every API token of the person end at once.

The ordinary sign-out (/accounts/logout/) ends this browser's session only and leaves the apps' API tokens alone;
this one is for a lost phone or a password that may have leaked. Sessions are found in the session store's table
(the database engines, `db` and `cached_db`): a session holds its user's id only inside its encoded data.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .signals import record_access
from .tokens import token_revoke_all


def _end_sessions(user) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        raise ImproperlyConfigured("Signing out everywhere needs a database session engine (db or cached_db).")
    ended = 0
    for row in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator():
        if store().decode(row.session_data).get(SESSION_KEY) == str(user.pk):
            store(session_key=row.session_key).delete()  # the cache's copy too, with cached_db
            ended += 1
    return ended


@transaction.atomic
def user_sign_out_everywhere(*, actor, request=None) -> tuple[int, int]:
    """End every session and revoke every API token of `actor`; returns (sessions, tokens)."""
    tokens = token_revoke_all(actor=actor, request=request, reason="sign_out_everywhere")
    sessions = _end_sessions(actor)
    record_access("logout", request=request, user=actor,
                  detail={"everywhere": True, "sessions": sessions, "tokens": tokens})
    return sessions, tokens


@require_POST
@login_required
def logout_everywhere(request):
    sessions, tokens = user_sign_out_everywhere(actor=request.user, request=request)
    request.wudu_logout_recorded = True  # the event above says it all (wudu.auth records one per sign-out)
    logout(request)
    messages.success(request, _("已在所有设备上退出：%(sessions)d 个登录会话和 %(tokens)d 个接口令牌已失效。") % {
        "sessions": sessions, "tokens": tokens,
    })
    return redirect(settings.LOGOUT_REDIRECT_URL)
