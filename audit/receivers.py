"""Connections made at start-up: the access-event receiver, the Celery task context, a command's context."""

from __future__ import annotations

import hashlib
import sys

from celery.signals import task_postrun, task_prerun

from wudu.net import client_ip
from wudu.signals import access_event

from . import context

USER_AGENT_LENGTH = 160


def store_access_event(sender=None, *, kind, request=None, user=None, target="", detail=None, **kwargs) -> None:
    """One INSERT per event; nothing read first (the user's name is taken from the object in hand)."""
    from .models import AccessEvent

    ip = agent = digest = ""
    username = getattr(user, "username", "") if user is not None else ""
    if request is not None:
        ip = client_ip(request)
        agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
        session = getattr(request, "session", None)
        key = getattr(session, "session_key", None) if session is not None else None
        if key:
            # never the key itself (it would open the session): a short digest ties one session's events together
            digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        if not username:
            # a failed login names the account tried (never the password)
            username = str((detail or {}).get("username", ""))[:150]
    AccessEvent.objects.create(
        kind=kind, user_id=getattr(user, "pk", None), username=username[:150], target=(target or "")[:120],
        detail=detail or {}, ip=ip or None, user_agent=agent, session_digest=digest,
    )


def connect() -> None:
    access_event.connect(store_access_event, dispatch_uid="audit.store_access_event")
    task_prerun.connect(context.task_started, dispatch_uid="audit.task_started", weak=False)
    task_postrun.connect(context.task_finished, dispatch_uid="audit.task_finished", weak=False)
    _enter_command_context(sys.argv)


# runserver serves requests, which carry their own context (the middleware)
NOT_A_COMMAND_CONTEXT = {"runserver", "runserver_plus"}
_command_context = None


def _enter_command_context(argv: list[str]) -> None:
    """`manage.py <command>`: every write of the process is labelled with the command's name."""
    global _command_context
    if len(argv) < 2 or not argv[0].endswith("manage.py") or argv[1] in NOT_A_COMMAND_CONTEXT:
        return
    if _command_context is None:
        _command_context = context.audit_command(argv[1]).__enter__()
