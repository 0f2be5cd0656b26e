"""The context of every write, as the row-history triggers store it (`pgh_context` of each event row).

- A request (AuditContextMiddleware, after authentication): user (id), ip (wudu.net.client_ip), url, method and
  route, the name of the view (`cases:step`, `api:case-dispatch` …): the business event of a page or API write.
- A Celery task (task_prerun/postrun): task (its name) and task_id; the user is the actor the service names.
- A management command (`audit_command` below, entered by the commands that write): command.

pghistory sends the context as session variables ahead of each statement; on SQLite nothing is entered (the
variables do not exist there and nothing would store them).
"""

from __future__ import annotations

import threading

import pghistory
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from pghistory.middleware import HistoryMiddleware

from wudu.net import client_ip

_tasks = threading.local()


def enabled() -> bool:
    return connection.vendor == "postgresql"


class LazyUser:
    """The request's user, read when a write is about to be sent (not before: a page that writes nothing must
    not pay for loading the session and the user)."""

    def __init__(self, request):
        self.request = request

    def resolve(self):
        user = getattr(self.request, "user", None)
        return user.pk if getattr(user, "is_authenticated", False) else None


class ContextEncoder(DjangoJSONEncoder):
    """PGHISTORY_JSON_ENCODER: resolves LazyUser when the context is serialised ahead of a write."""

    def default(self, o):
        if isinstance(o, LazyUser):
            return o.resolve()
        return super().default(o)


class AuditContextMiddleware(HistoryMiddleware):
    """pghistory's middleware (user, url; a user set later by DRF's authentication is caught too) plus where the
    request came from and which view took it."""

    def get_context(self, request) -> dict:
        return {"user": LazyUser(request), "url": request.path, "ip": client_ip(request) or None,
                "method": request.method}

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        return super().__call__(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if enabled() and match is not None:
            pghistory.context(route=match.view_name)  # added to the context entered in __call__
        return None


def task_started(sender=None, task_id=None, task=None, **kwargs) -> None:
    if not enabled():
        return
    entered = pghistory.context(task=getattr(task, "name", str(sender)), task_id=task_id)
    if getattr(_tasks, "stack", None) is None:
        _tasks.stack = []
    _tasks.stack.append(entered)
    entered.__enter__()


def task_finished(sender=None, task_id=None, **kwargs) -> None:
    stack = getattr(_tasks, "stack", None)
    if stack:
        stack.pop().__exit__(None, None, None)


class audit_command:
    """`with audit_command("load_demo"):` around a command's writes records the command's name as context."""

    def __init__(self, name: str):
        self.name = name
        self._context = None

    def __enter__(self):
        if enabled():
            self._context = pghistory.context(command=self.name)
            self._context.__enter__()
        return self

    def __exit__(self, *exc):
        if self._context is not None:
            self._context.__exit__(*exc)
