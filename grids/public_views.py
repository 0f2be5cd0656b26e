"""The public notice (统一公示): every grid's people, phones and duties, open to all without login."""

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import public_selectors, qr, services


class LocateForm(forms.Form):
    # Django's FloatField already refuses NaN and infinities.
    lng = forms.FloatField(min_value=-180, max_value=180)
    lat = forms.FloatField(min_value=-90, max_value=90)


def _map_settings() -> dict:
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _index(request, *, message: str = "", status: int = 200):
    index = public_selectors.public_index()
    community = index.communities.get(request.GET.get("community", ""))
    if request.GET.get("community") and community is None and not message:
        message = _("没有找到这个社区，请从列表中重新选择。")
    context = {
        "index": index,
        "community": community,
        "open_street": index.street_of(community) if community else None,
        "message": message,
        **_map_settings(),
    }
    return render(request, "public/index.html", context, status=status)


@require_GET
def index(request):
    return _index(request)


@require_GET
def locate(request):
    form = LocateForm(request.GET)
    if not form.is_valid():
        message = _("位置参数无效：经度应为 -180 到 180 之间的数字，纬度应为 -90 到 90 之间的数字。请在地图上点击您的位置。")
        return _index(request, message=message, status=400)
    lng, lat = form.cleaned_data["lng"], form.cleaned_data["lat"]
    grid = services.grid_at(lng, lat)
    if grid is None:
        message = _("您选择的位置（东经 %(lng).5f，北纬 %(lat).5f）不在任何网格内。请在地图上的网格范围内点击，或按社区查找。") % {
            "lng": lng, "lat": lat,
        }
        return _index(request, message=message)
    return redirect("public:grid", code=grid.code)


@require_GET
@cache_control(public=True, max_age=300)
def map_geojson(request):
    collection = public_selectors.grids_geojson(request.GET.get("community") or None)
    return JsonResponse(collection, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False})


@require_GET
def grid(request, code: str):
    notice = public_selectors.grid_notice(code)
    return render(request, "public/grid.html", {"notice": notice, **_map_settings()})


@require_GET
def poster(request, code: str):
    notice = public_selectors.grid_notice(code)
    return render(request, "public/poster.html", {"notice": notice, "page_url": qr.public_grid_url(request, code)})


@require_GET
@cache_control(public=True, max_age=86400)
def qr_code(request, code: str):
    if not public_selectors.grid_exists(code):
        raise Http404(_("没有这个网格。"))
    return HttpResponse(qr.qr_png(qr.public_grid_url(request, code)), content_type="image/png")
