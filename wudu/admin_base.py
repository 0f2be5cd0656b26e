"""The admin goes through the same gate and the same services as the pages and the API."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from . import scope


class ScopedAdmin(admin.ModelAdmin):
    """Lists only what `visible_to` returns; add/change are asked of the gate; saves call the services.

    Subclasses implement `create(request, data)` and `update(request, obj, data)` with service calls.
    Deleting is not offered: records end through their services.
    """

    place_fields: tuple[str, ...] = ()  # foreign keys to Place that must offer only visible places

    @property
    def scope_resource(self) -> str:
        return self.model._default_manager.get_queryset().scope_resource

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request) and self._can_write_somewhere(request.user)

    def has_change_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return self._can_write_somewhere(request.user)
        return scope.can_change(request.user, obj, self.scope_resource)

    def has_delete_permission(self, request, obj=None):
        return False

    def _can_write_somewhere(self, user) -> bool:
        if user.is_superuser:
            return True
        rules = scope.POLICIES[self.scope_resource].write
        return any(grant.role in rules for grant in scope.grants_for(user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.place_fields:
            kwargs["queryset"] = db_field.related_model.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = self.update(request, obj, data) if change else self.create(request, data)
        except ValidationError as error:
            # The form was valid but a domain rule refused: show it like a form error.
            raise _AdminRefusal(error) from error
        if not change:
            obj.pk = saved.pk
            obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _AdminRefusal as refusal:
            from django.contrib import messages
            from django.http import HttpResponseRedirect

            for message in refusal.error.messages:
                messages.error(request, message)
            return HttpResponseRedirect(request.get_full_path())

    def create(self, request, data):  # pragma: no cover - each admin implements it
        raise PermissionDenied

    def update(self, request, obj, data):  # pragma: no cover
        raise PermissionDenied


class _AdminRefusal(Exception):
    def __init__(self, error: ValidationError):
        self.error = error


def fields_of(data: dict, *names: str) -> dict:
    return {name: data[name] for name in names if name in data}


__all__ = ["ScopedAdmin", "fields_of", "models"]
