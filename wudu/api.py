"""Shared parts of the REST API: the gated base viewset and keyset pagination."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import scope
from .errors import Conflict


class ScopedViewSet(viewsets.GenericViewSet):
    """Every API viewset starts here: the queryset always passes through the scope gate.

    Subclasses set `scope_model` and may narrow with `filter_queryset_extra`; they cannot replace
    `get_queryset` (defining it raises at import), so the gate cannot be skipped by accident.
    """

    scope_model = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__ or "queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__} must not set queryset/get_queryset: use scope_model and hooks")

    def base_queryset(self):
        return self.scope_model._default_manager.all()

    def filter_queryset_extra(self, queryset):
        return queryset

    def get_queryset(self):
        queryset = self.base_queryset().visible_to(self.request.user)
        return self.filter_queryset_extra(queryset)

    @property
    def scope_resource(self) -> str:
        return self.scope_model._default_manager.get_queryset().scope_resource


def exception_handler(exc, context):
    """Service errors become clear API errors: validation 400, conflict 409, permission 403."""
    if isinstance(exc, Conflict):
        return Response({"detail": exc.messages[0], "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, (DjangoPermissionDenied, scope.PermissionDenied)):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
