"""Access events (等保 安全审计): the kernel's one signal for what the audit must record besides row changes.

Anything that logs someone in or out, changes a factor or a password, exports rows, opens a person's record
or is refused by the gate calls `record_access(...)`. The kernel imports no app: the `audit` app connects a
receiver that stores the event append-only (and hash-chained); with no receiver connected nothing is stored.

Never pass a password, a token, a one-time code or a full mobile/ID number in `detail`: it is stored as is.
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: kind (one of KINDS), request (or None), user (the actor or None), target ("app.Model:pk" or ""),
#         detail (a small JSON-able dict: a filter, a row count, a reason)
access_event = Signal()

# kwargs: job (a wudu.models.ExportJob just done). The kernel's exports tell whoever listens (cases: a notification).
export_finished = Signal()

KINDS = (
    "login",             # a session began (password, and the second factor where one is required)
    "login_failed",      # a wrong password, an unknown user, a wrong one-time code
    "logout",
    "password_changed",  # by its owner
    "password_reset",    # through a reset link, or set by an administrator
    "factor_added",
    "factor_removed",
    "factor_reset",      # an administrator removed someone's lost factors
    "token_issued",
    "token_revoked",
    "lockout_reset",     # an administrator released a locked account
    "role_changed",      # a grant (membership) created, changed or ended
    "export",            # detail: {"format": "xlsx", "filter": {...}, "rows": 123}
    "personal_read",     # a household's or a person's record was opened
    "denied",            # the gate refused (403, or 404 for a hidden object)
)


def record_access(kind: str, *, request=None, user=None, target: str = "", detail: dict | None = None) -> None:
    """Send one access event; `user` defaults to the request's authenticated user."""
    if kind not in KINDS:
        raise ValueError(f"unknown access event kind {kind!r}")
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    access_event.send(sender=None, kind=kind, request=request, user=user, target=target, detail=detail or {})
