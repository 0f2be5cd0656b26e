"""The admin goes through the same gate and the same services as the pages and the API.

Three doors of the admin reach records other than the one being edited, and all three pass the gate here:

- every relation a form offers (select, raw-id box, autocomplete, many-to-many) offers only what the gate shows
  the user (`related_choices`), so a foreign id typed into a raw-id box is refused on save like a missing one,
  and the label beside the box names nobody out of sight;
- the autocomplete view's search narrows to the same choices;
- the changelists the raw-id lookup pops up are the related admins' gated changelists.

Personal fields (the gate's `personal_fields`) are left out of forms, lists and searches for users who may
not see them.
"""

from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import scope

HIDDEN = _("（不显示）")


def _gated(model) -> bool:
    return hasattr(model._default_manager, "visible_to")


def _resource(model) -> str:
    return model._default_manager.get_queryset().scope_resource


class GatedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id box whose label (the related object's name) is looked up among the field's choices only."""

    def __init__(self, rel, admin_site, *, choices, **kwargs):
        self.choices_queryset = choices
        super().__init__(rel, admin_site, **kwargs)

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            self.choices_queryset.get(**{key: value})
        except (ValueError, TypeError, ValidationError, self.rel.model.DoesNotExist,
                self.rel.model.MultipleObjectsReturned):
            return "", ""
        return super().label_and_url_for_value(value)


class GatedAdminMixin:
    """Relations narrowed by the gate and personal fields hidden; for every admin of the project."""

    def related_choices(self, db_field, request, db=None) -> models.QuerySet:
        """What a relation of this admin's form may point at: by default what the gate shows the user.

        An admin overrides it for a relation with a rule of its own (e.g. who may be appointed)."""
        model = db_field.remote_field.model
        queryset = model._default_manager.using(db).all()
        if _gated(model):
            queryset = queryset.visible_to(request.user)
        related_admin = self.admin_site._registry.get(model)
        ordering = related_admin.get_ordering(request) if related_admin is not None else ()
        return queryset.order_by(*ordering) if ordering else queryset

    # Django asks this for every foreign key and many-to-many field that has no queryset of its own.
    def get_field_queryset(self, db, db_field, request):
        return self.related_choices(db_field, request, db)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            kwargs["queryset"] = self.related_choices(db_field, request, kwargs.get("using"))
        if db_field.name in self.raw_id_fields and "widget" not in kwargs:
            kwargs["widget"] = GatedRawIdWidget(db_field.remote_field, self.admin_site, choices=kwargs["queryset"],
                                                using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # A plain relation filter lists every related object; list only those of the rows the user sees.
        out = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and "__" not in item:
                field = self.model._meta.get_field(item)
                if field.is_relation:
                    item = (item, RelatedOnlyFieldListFilter)
            out.append(item)
        return out

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = self._autocomplete_source(request)
        if source is not None:
            source_admin, db_field = source
            queryset = queryset.filter(pk__in=source_admin.related_choices(db_field, request).values("pk"))
        return queryset, may_have_duplicates

    def _autocomplete_source(self, request):
        """The (admin, field) an autocomplete request asks choices for, when this is one."""
        if getattr(getattr(request, "resolver_match", None), "url_name", "") != "autocomplete":
            return None
        from django.apps import apps

        try:
            model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            db_field = model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, ValueError, FieldDoesNotExist):
            return None
        source_admin = self.admin_site._registry.get(model)
        if not isinstance(source_admin, GatedAdminMixin) or not db_field.is_relation:
            return None
        return source_admin, db_field

    # -------------------------------------------------------------------------------------- personal fields

    @property
    def scope_resource(self) -> str:
        return _resource(self.model)

    def _personal(self) -> tuple[str, ...]:
        return scope.personal_fields(self.scope_resource)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).visible_to(request.user)
        return scope.with_field_access(queryset, request.user, self.scope_resource)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets  # a new record: its author types these fields in
        hidden = {name for name in self._personal()
                  if not scope.may_see_field(request.user, obj, self.scope_resource, name)}
        if not hidden:
            return fieldsets
        return [(title, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
                for title, options in fieldsets]

    def get_list_display(self, request):
        personal = self._personal()
        return [self._personal_column(request, item) if item in personal else item
                for item in super().get_list_display(request)]

    def _personal_column(self, request, name: str):
        resource, user = self.scope_resource, request.user

        def column(obj):
            if not scope.may_see_field(user, obj, resource, name):
                return HIDDEN
            return getattr(obj, name) or "-"

        column.short_description = self.model._meta.get_field(name).verbose_name
        return column

    def get_search_fields(self, request):
        # Searching by a hidden field would tell whose mobile it is.
        if request.user.is_superuser:
            return super().get_search_fields(request)
        personal = set(self._personal())
        return [name for name in super().get_search_fields(request) if name.lstrip("^=@") not in personal]

    def lookup_allowed(self, lookup, value, request=None):
        # Nor may the changelist be filtered by one (?mobile__startswith=139… narrows down anyone's number).
        if lookup.split("__")[0] in self._personal() and not (request is not None and request.user.is_superuser):
            return False
        return super().lookup_allowed(lookup, value, request)


class ScopedAdmin(GatedAdminMixin, admin.ModelAdmin):
    """Lists only what `visible_to` returns; add/change are asked of the gate; saves call the services.

    Subclasses implement `create(request, data)` and `update(request, obj, data)` with service calls.
    Deleting is not offered: records end through their services.
    """

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


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Records the admin shows and never writes: they are made by their own steps (a check-in and its countersignature,
    a ladder document, a re-check, a task's steps) on the pages and through the API. No form: every field is shown as
    text, and a personal one only to those the gate lets see it."""

    show_full_result_count = False  # the gated list's count is the one shown; no count of the whole table

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _AdminRefusal(Exception):
    def __init__(self, error: ValidationError):
        self.error = error


def fields_of(data: dict, *names: str) -> dict:
    return {name: data[name] for name in names if name in data}


__all__ = ["GatedAdminMixin", "ScopedAdmin", "fields_of", "models"]
