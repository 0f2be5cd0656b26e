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


def create_once(
    *, key: uuid.UUID | str | None, actor, model: type[M], create: Callable[[], M], key_field: str | None = None,
    owner_field: str | None = None,
) -> M:
    """Run `create` once per client key: a retried or doubled submission gets the first record back, whatever
    the timing (the one idempotency rule of every keyed create).

    The key is claimed in IdempotencyKey (the API's Idempotency-Key header, the hidden key of a form), or, for
    records that carry their client's key in a unique column of their own (a phone's `client_id`), looked up
    on the record itself: pass `key_field` and `owner_field` (the user who made it). `create` must then leave
    that column's uniqueness to the database (`full_clean(exclude=[key_field])`): Django's unique check would
    see a copy committed a moment before and refuse it ("… 已存在") where the copy is to be handed back.

    Copies at the same instant: the later insert waits on the unique index until the first copy commits, then
    fails inside its own savepoint (a caller's outer transaction stays usable; each statement of READ COMMITTED
    sees the committed copy) and is handed the first record. A check that failed because the first copy became
    visible meanwhile (one open patrol per worker) is answered the same way.
    """
    if not key and key_field is None:
        with transaction.atomic():
            return create()
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        message = _("提交标识无效，请刷新页面后重试。")
        raise ValidationError({key_field: message} if key_field else message, code="invalid_key") from None
    label = model._meta.label_lower

    def existing():
        if key_field is not None:
            return _existing_on_record(key, actor, model, key_field, owner_field)
        return _existing(key, actor, label, model)

    found = existing()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            if key_field is not None:
                return create()
            # Claim the key first: a concurrent copy of this submission waits on the unique index until
            # this transaction ends, then fails and is handed the record made here.
            claim = IdempotencyKey.objects.create(key=key, actor=actor, model=label)
            obj = create()
            claim.object_id = obj.pk
            claim.save(update_fields=["object_id"])
            return obj
    except (IntegrityError, ValidationError):
        found = existing()
        if found is None:
            raise
        return found


def _existing(key, actor, label, model):
    row = IdempotencyKey.objects.filter(key=key).first()
    if row is None:
        return None
    if row.model != label or row.actor_id != getattr(actor, "pk", None):
        raise ValidationError(_("提交标识已被使用，请刷新页面后重试。"), code="key_reused")
    return model._default_manager.get(pk=row.object_id)


def _existing_on_record(key, actor, model, key_field: str, owner_field: str | None):
    found = model._default_manager.filter(**{key_field: key}).first()
    if found is not None and owner_field and getattr(found, f"{owner_field}_id") != getattr(actor, "pk", None):
        raise ValidationError({key_field: _("提交标识已被使用，请刷新页面后重试。")}, code="key_reused")
    return found


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
