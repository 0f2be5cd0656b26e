"""The four-level terminals (区、街道、社区、网格): each user lands on the view of their level."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from wudu import scope

from . import selectors
from .models import Level, Place


def root(request):
    return redirect("home" if request.user.is_authenticated else "public:index")


@login_required
def home(request):
    grant = scope.home_grant(request.user)
    if grant is not None:
        return redirect("terminal", code=grant.code)
    if request.user.is_superuser:
        district = Place.objects.filter(level=Level.DISTRICT).order_by("code").first()
        if district is not None:
            return redirect("terminal", code=district.code)
    return render(request, "grids/no_role.html")


@login_required
def terminal(request, code: str):
    place = selectors.place_for_user(request.user, code)
    context = {"place": place, "breadcrumbs": selectors.breadcrumbs(request.user, place)}
    if place.level == Level.GRID:
        context["profile"] = selectors.grid_profile(place)
        return render(request, "grids/grid_terminal.html", context)
    rows = selectors.children_with_counts(place)
    context.update(rows=rows, totals=selectors.totals(rows))
    return render(request, "grids/terminal.html", context)
