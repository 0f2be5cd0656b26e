"""The managed resources: one description per resource drives the management pages and the terminal's actions.

Each entry says how to list it, which form creates and edits it and which service does the writing, so
the HTML pages, the admin and the API meet the same gate and the same rules. Each app describes its own
resources in its `managed.py`, found by `autodiscover()` (GridsConfig.ready, in INSTALLED_APPS order): grids
lists them without importing any app (grids/managed.py, ledger/managed.py, outreach/managed.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.module_loading import autodiscover_modules

from wudu import scope
from wudu.scope import Role

from .models import Place


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    # A personal field of the resource (the gate's `personal_fields`): shown only to those who may see it.
    personal: str = ""


@dataclass(frozen=True)
class ManagedResource:
    key: str  # URL segment and scope-gate resource name
    model: type[models.Model]
    label: Any
    columns: tuple[Column, ...]
    place_of: Callable[[Any], Place]  # the place an object belongs to
    select_related: tuple[str, ...] = ()
    create_form: type | None = None
    edit_form: type | None = None
    create: Callable | None = None  # (actor, place, data, key) -> object
    update: Callable | None = None  # (actor, obj, data, version) -> object
    anchor_levels: frozenset = field(default_factory=frozenset)  # levels of ?place= for create
    edit_initial: Callable[[Any], dict] = lambda obj: {}
    form_kwargs: Callable[[Any, Place], dict] = lambda user, place: {}
    # The button on a place's terminal that creates one here ("" for none), for those the gate lets create.
    create_action: Any = ""
    # Whether the place can take one more (place) -> bool, asked only of those who may create: e.g. a place holds
    # one party organisation, so a place that has one is not offered the button (None: always offered).
    offered: Callable[[Place], bool] | None = None
    # Further buttons on an object's page: (user, obj) -> [(label, url)], those the user may use.
    detail_actions: Callable[[Any, Any], list] = lambda user, obj: []
    # Its detail page shows a person's or a household's record: each opening is an access event (personal_read).
    personal: bool = False

    @property
    def scope_resource(self) -> str:
        return self.model._default_manager.get_queryset().scope_resource


def fields(data: dict, *names: str) -> dict:
    """The named entries of a form's cleaned data that it holds (a service's keyword arguments)."""
    return {name: data[name] for name in names if name in data}


RESOURCES: dict[str, ManagedResource] = {}


def register(resource: ManagedResource) -> ManagedResource:
    RESOURCES[resource.key] = resource
    return resource


# Buttons another app adds to an object's page (key -> [(user, obj) -> [(label, url)]]): e.g. affairs offers "帮办代办"
# on a household's page, which ledger (below affairs) cannot name.
EXTRA_ACTIONS: dict[str, list[Callable[[Any, Any], list]]] = {}


def add_detail_actions(key: str, actions: Callable[[Any, Any], list]) -> None:
    EXTRA_ACTIONS.setdefault(key, []).append(actions)


def detail_actions(resource: ManagedResource, user, obj) -> list:
    """The buttons of an object's page: its resource's own, then those other apps add."""
    return [*resource.detail_actions(user, obj),
            *(action for extra in EXTRA_ACTIONS.get(resource.key, ()) for action in extra(user, obj))]


def autodiscover() -> None:
    """Import each installed app's `managed` module, which registers that app's resources."""
    autodiscover_modules("managed")


# Department staff read the registers of their district (to find a grid, a colleague's work phone) but keep none
# of them: their work is the cases dispatched to them, so the management pages are not offered to them.
NOT_KEEPERS = (Role.DEPARTMENT_STAFF,)


def resources_for(user) -> list[ManagedResource]:
    """The management lists worth offering to this user: those a grant of a register-keeping role reads."""
    return [resource for resource in RESOURCES.values()
            if scope.reads(user, resource.scope_resource, excluding=NOT_KEEPERS)]
