"""The four-level terminals (区、街道、社区、网格): each user lands on the view of their level."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wudu import scope
from wudu.db import replica_reads
from wudu.duties import Duty, has_duty
from wudu.scope import Role

from . import forms, selectors, services, terminal_panels
from .lockouts import locked_accounts, lockout_release
from .manage import RESOURCES
from .models import Level, Place


def root(request):
    return redirect("home" if request.user.is_authenticated else "public:index")


@login_required
def home(request):
    grant = scope.home_grant(request.user)
    # The command center and the departments live in their workbenches; everyone else starts at their place.
    if grant is not None and grant.role == Role.COMMAND_CENTER:
        return redirect("cases:center")
    if grant is not None and grant.role == Role.DEPARTMENT_STAFF:
        return redirect("cases:department")
    # The security and audit administrators read no data: they land on their own pages (三权分立).
    if grant is not None and not scope.reads_data(request.user):
        if grant.role == Role.SECURITY_ADMIN:
            return redirect("lockouts")
        if grant.role == Role.AUDIT_ADMIN:
            return redirect("/audit/")
        if grant.role in scope.INSPECTION_ROLES:
            return redirect("inspections:home")
    if grant is not None:
        return redirect("terminal", code=grant.code)
    # A team member whose round has not started, or whose follow-up period ended, holds no grant today: they land on
    # the inspections home, which says when their access runs.
    if _holds_dated_role(request.user, scope.INSPECTION_ROLES):
        return redirect("inspections:home")
    if request.user.is_superuser:
        district = Place.objects.filter(level=Level.DISTRICT).order_by("code").first()
        if district is not None:
            return redirect("terminal", code=district.code)
    return render(request, "grids/no_role.html")


def _holds_dated_role(user, roles) -> bool:
    """Does a dated provider (not the memberships) hold a grant of one of `roles` for the user, on any day?"""
    return any(grant.role in roles for provider in scope.grant_providers() if provider.name != "membership"
               for grant in provider.grants_of(user))


@login_required
def profile(request):
    """A person keeps their own name, mobile number and photo (shown on the public notice)."""
    form = forms.ProfileForm(
        request.POST or None, request.FILES or None,
        initial={"real_name": request.user.real_name, "mobile": request.user.mobile},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update_profile(
                actor=request.user, person=request.user, real_name=form.cleaned_data["real_name"],
                mobile=form.cleaned_data["mobile"], photo=form.cleaned_data["photo"],
            )
        except ValidationError as error:
            form.add_service_error(error, field="photo" if error.code in {"too_large", "not_image", "bad_format"} else None)
        else:
            messages.success(request, _("个人资料已保存。"))
            return redirect("profile")
    return render(request, "grids/profile.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@replica_reads
def terminal(request, code: str):
    if not scope.reads_data(request.user):  # the security and audit administrators have no data pages
        raise PermissionDenied
    place = selectors.access_place(request.user, code, polygons=False)
    context = {
        "place": place,
        "breadcrumbs": selectors.breadcrumbs(request.user, place),
        "actions": _actions(request.user, place),
    }
    if place.level == Level.GRID:
        context["profile"] = selectors.grid_profile(place)
        # The grid's own walkers get the patrol button (grants are cached: no query).
        context["walks_here"] = place.pk in scope.places_of(request.user, *scope.GRID_STAFF)
        terminal_panels.fill(request.user, place, context)
        return render(request, "grids/grid_terminal.html", context)
    rows, totals = selectors.children_with_counts(place)
    context.update(rows=rows, totals=totals)
    terminal_panels.fill(request.user, place, context)
    return render(request, "grids/terminal.html", context)


def _actions(user, place: Place) -> list[tuple[str, str, str]]:
    """What the user may do here: (label, url, style), asked of the gate (grants are cached: no queries)."""
    from django.urls import reverse

    actions = []
    if scope.can_change(user, place, "place"):
        actions.append((_("编辑"), reverse("manage:edit", args=["place", place.pk]), "outline-secondary"))
    # Each app's managed.py names its resources' create buttons, in the order the apps are installed.
    for key, resource in RESOURCES.items():
        if resource.create_action and place.level in resource.anchor_levels and scope.can_create(user, resource.scope_resource, place):
            if key == "place" and place.level == Level.CITY or resource.offered and not resource.offered(place):
                continue
            url = reverse("manage:create", args=[key]) + f"?place={place.code}"
            actions.append((resource.create_action, url, "danger" if key == "place" else "outline-danger"))
    people = reverse("manage:list", args=["membership"]) + f"?place={place.code}"
    actions.append((_("人员名册"), people, "outline-secondary"))
    return actions


@login_required
def lockouts(request):
    """The security administrator's page: the accounts locked now, each released with a reason."""
    if not has_duty(request.user, Duty.SECURITY):
        raise PermissionDenied
    form = forms.LockoutReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lockout_release(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已解除 %(name)s 的锁定。") % {"name": form.cleaned_data["username"]})
            return redirect("lockouts")
    return render(request, "grids/lockouts.html", {"form": form, "lockouts": locked_accounts()},
                  status=400 if form.errors else 200)
