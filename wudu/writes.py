"""Shared mechanics of every service write: idempotent creates and version-checked updates."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .errors import Conflict
from .models import IdempotencyKey

M = TypeVar("M", bound=models.Model)


def create_once(*, key: uuid.UUID | str | None, actor, model: type[M], create: Callable[[], M]) -> M:
    """Run `create` once per client key: a retried or doubled submission gets the first record back."""
    if not key:
        with transaction.atomic():
            return create()
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        raise ValidationError(_("提交标识无效，请刷新页面后重试。"), code="invalid_key") from None
    label = model._meta.label_lower
    existing = _existing(key, actor, label, model)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            # Claim the key first: a concurrent copy of this submission waits on the unique index until
            # this transaction ends, then fails and is handed the record made here.
            claim = IdempotencyKey.objects.create(key=key, actor=actor, model=label)
            obj = create()
            claim.object_id = obj.pk
            claim.save(update_fields=["object_id"])
            return obj
    except IntegrityError:
        existing = _existing(key, actor, label, model)
        if existing is None:
            raise
        return existing


def _existing(key, actor, label, model):
    row = IdempotencyKey.objects.filter(key=key).first()
    if row is None:
        return None
    if row.model != label or row.actor_id != getattr(actor, "pk", None):
        raise ValidationError(_("提交标识已被使用，请刷新页面后重试。"), code="key_reused")
    return model._default_manager.get(pk=row.object_id)


def update_versioned(obj: M, *, expected_version: int | None, fields: dict) -> M:
    """Save `fields` only if nobody changed `obj` since version `expected_version` was read.

    A conditional UPDATE … WHERE version = n claims the row first (it takes the row lock on PostgreSQL,
    the write lock on SQLite), so of two concurrent edits exactly one wins and the other gets Conflict.
    The full save afterwards keeps history and auto fields.
    """
    version = obj.version if expected_version is None else int(expected_version)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    with transaction.atomic():
        claimed = type(obj)._default_manager.filter(pk=obj.pk, version=version).update(version=F("version") + 1)
        if claimed != 1:
            raise Conflict()
        obj.version = version + 1
        obj.save()
    return obj
