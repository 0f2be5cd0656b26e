"""Management pages: list, read, create and edit every managed resource through the gate and the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wudu import scope
from wudu.access_log import record_personal_read
from wudu.duties import Duty, has_duty
from wudu.pages import keyset_page, page_query

from . import forms, manage, selectors, services
from .manage import RESOURCES, Column, ManagedResource, resources_for

PAGE_SIZE = 50
HIDDEN = _lazy("（不显示）")


def _resource(key: str) -> ManagedResource:
    try:
        return RESOURCES[key]
    except KeyError:
        raise Http404 from None


def _visible(resource: ManagedResource, user):
    queryset = resource.model._default_manager.visible_to(user).select_related(*resource.select_related)
    return scope.with_field_access(queryset, user, resource.scope_resource)


def _cell(user, resource: ManagedResource, column: Column, obj):
    if column.personal and not scope.may_see_field(user, obj, resource.scope_resource, column.personal):
        return HIDDEN
    return column.value(obj)


@login_required
def index(request):
    return render(request, "manage/index.html", {"resources": resources_for(request.user)})


@login_required
def resource_list(request, key: str):
    """Keyset-paginated (newest first, `?after=<id>`), optionally narrowed to `?place=<code>`."""
    resource = _resource(key)
    queryset = _visible(resource, request.user)
    place_code = request.GET.get("place", "")
    if place_code:
        queryset = scope.narrow_to_place(queryset, resource.scope_resource, place_code)
    objects, next_after = keyset_page(queryset, request.GET.get("after", ""), size=PAGE_SIZE)
    rows = [(obj, [_cell(request.user, resource, column, obj) for column in resource.columns]) for obj in objects]
    return render(request, "manage/list.html", {
        "resource": resource, "rows": rows, "place_code": place_code,
        "next_after": next_after, "query": page_query(request), "object_list": objects,
    })


@login_required
def resource_detail(request, key: str, pk: int):
    resource = _resource(key)
    obj = selectors.access_managed(request.user, resource, pk)
    if resource.personal:
        record_personal_read(request, f"{obj._meta.label}:{obj.pk}")
    can_edit = resource.edit_form is not None and scope.can_change(request.user, obj, resource.scope_resource)
    fields = [(column.label, _cell(request.user, resource, column, obj)) for column in resource.columns]
    return render(request, "manage/detail.html", {"resource": resource, "object": obj, "fields": fields,
                                                  "can_edit": can_edit,
                                                  "actions": manage.detail_actions(resource, request.user, obj)})


@login_required
def resource_create(request, key: str):
    resource = _resource(key)
    if resource.create_form is None:
        raise Http404
    place = selectors.access_place(request.user, request.GET.get("place", ""))
    if place.level not in resource.anchor_levels:
        raise Http404
    if not scope.can_create(request.user, resource.scope_resource, place):
        raise PermissionDenied
    extra = resource.form_kwargs(request.user, place)
    form = resource.create_form(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key_value = data.pop("idempotency_key", None)
        try:
            obj = resource.create(request.user, place, data, key_value)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("manage:detail", key=resource.key, pk=obj.pk)
    return render(request, "manage/form.html", {"resource": resource, "form": form, "place": place, "creating": True},
                  status=400 if form.errors else 200)


@login_required
def resource_edit(request, key: str, pk: int):
    resource = _resource(key)
    if resource.edit_form is None:
        raise Http404
    obj = selectors.access_managed(request.user, resource, pk)
    if not scope.can_change(request.user, obj, resource.scope_resource):
        raise PermissionDenied
    form = resource.edit_form(request.POST or None, initial=resource.edit_initial(obj))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            resource.update(request.user, obj, data, version)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("manage:detail", key=resource.key, pk=obj.pk)
    return render(request, "manage/form.html", {"resource": resource, "form": form, "object": obj, "creating": False},
                  status=400 if form.errors else 200)


@login_required
def person_password(request, pk: int):
    """A system administrator sets a person's initial password (changed by them at the next sign-in) or sends
    them a link to choose their own."""
    person = selectors.access_managed(request.user, RESOURCES["person"], pk)
    if not has_duty(request.user, Duty.SYSTEM) or person.pk == request.user.pk:
        raise PermissionDenied
    form = forms.InitialPasswordForm(request.POST if request.POST.get("action") == "set" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "link":
                channel = services.person_send_reset_link(actor=request.user, person=person, request=request)
                messages.success(request, _("设置密码的链接已发送到其手机。") if channel == "sms"
                                 else _("设置密码的链接已发送到其电子邮箱。"))
                return redirect("manage:detail", key="person", pk=person.pk)
            if form.is_valid():
                services.person_set_password(actor=request.user, person=person,
                                             password=form.cleaned_data["password1"], request=request)
                messages.success(request, _("初始密码已设置。请当面或电话告知本人；其首次登录时须修改密码。"))
                return redirect("manage:detail", key="person", pk=person.pk)
        except ValidationError as error:
            if request.POST.get("action") == "link":
                messages.error(request, " ".join(error.messages))
            else:
                form.add_service_error(error, field="password1")
    return render(request, "manage/person_password.html", {"person": person, "form": form},
                  status=400 if form.errors else 200)
