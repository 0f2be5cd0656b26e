"""How the shell finds the apps' parts: the apps are settings.PROJECT_APPS, each part a module of an agreed name
(`urls`: its pages; `api`: its API routes, `register_routes(router)`; `managed`: its management pages, found by
grids.manage). The shell imports them by name at start-up, so no kernel module imports an app."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule


def app_modules(name: str) -> list[ModuleType]:
    """The `<app>.<name>` module of each project app that has one, in the order of settings.PROJECT_APPS."""
    found = []
    for label in settings.PROJECT_APPS:
        config = apps.get_app_config(label)
        if module_has_submodule(config.module, name):
            found.append(import_module(f"{config.name}.{name}"))
    return found
