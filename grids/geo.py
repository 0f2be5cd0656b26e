"""Grid boundaries: GeoJSON in, validated shapes, areas in square metres, point → grid (shapely, no GDAL)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely import make_valid
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8
# Shared edges between neighbouring grids are fine; overlaps above this many m² are not.
OVERLAP_TOLERANCE_M2 = 1.0


@dataclass(frozen=True)
class Boundary:
    geojson: dict
    geometry: BaseGeometry
    area_m2: float
    centroid: tuple[float, float]  # (lng, lat)
    bbox: tuple[float, float, float, float]  # (min_lng, min_lat, max_lng, max_lat)


def parse_boundary(value) -> Boundary:
    """Validate a GeoJSON Polygon/MultiPolygon (or a Feature holding one) in WGS84 lng/lat."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError(_("边界不是有效的 GeoJSON：无法解析。"), code="invalid_geojson") from None
    if not isinstance(value, dict):
        raise ValidationError(_("边界不是有效的 GeoJSON：应为 Polygon 或 MultiPolygon 对象。"), code="invalid_geojson")
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    if value.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationError(_("边界必须是多边形（Polygon 或 MultiPolygon）。"), code="invalid_geojson")
    try:
        geometry = shape(value)
    except Exception:  # noqa: BLE001 - shapely raises several types for malformed coordinates
        raise ValidationError(_("边界不是有效的 GeoJSON：坐标格式错误。"), code="invalid_geojson") from None
    if geometry.is_empty:
        raise ValidationError(_("边界不能为空。"), code="invalid_geojson")
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValidationError(_("边界坐标超出经纬度范围（经度 -180～180，纬度 -90～90）。"), code="invalid_geojson")
    if not geometry.is_valid:
        raise ValidationError(_("边界多边形自相交或不闭合，请检查各顶点顺序。"), code="invalid_geojson")
    area = area_m2(geometry)
    if area <= 0:
        raise ValidationError(_("边界面积为零。"), code="invalid_geojson")
    centroid = geometry.centroid
    return Boundary(
        geojson=json.loads(json.dumps(geometry.__geo_interface__)),
        geometry=geometry,
        area_m2=area,
        centroid=(centroid.x, centroid.y),
        bbox=(min_lng, min_lat, max_lng, max_lat),
    )


def _project(geometry: BaseGeometry, lat0: float) -> BaseGeometry:
    """Local equirectangular projection to metres: accurate to well under 1 % at grid sizes."""
    k = math.pi / 180 * EARTH_RADIUS_M
    scale = np.array([k * math.cos(math.radians(lat0)), k])
    return shapely.transform(geometry, lambda coords: coords * scale)


def area_m2(geometry: BaseGeometry) -> float:
    return _project(geometry, geometry.centroid.y).area


def overlap_m2(a: BaseGeometry, b: BaseGeometry) -> float:
    inter = make_valid(a).intersection(make_valid(b))
    return 0.0 if inter.is_empty else area_m2(inter)


def covers(outer: BaseGeometry, inner: BaseGeometry) -> bool:
    """Inner lies inside outer, allowing a sliver of 1 m² for rounding on shared edges."""
    outside = make_valid(inner).difference(make_valid(outer))
    return outside.is_empty or area_m2(outside) <= OVERLAP_TOLERANCE_M2


def geometry_of(geojson: dict | None) -> BaseGeometry | None:
    return shape(geojson) if geojson else None


def contains_point(geojson: dict, lng: float, lat: float) -> bool:
    geometry = shape(geojson)
    return isinstance(geometry, (Polygon, MultiPolygon)) and geometry.covers(Point(lng, lat))


def rectangle(min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[min_lng, min_lat], [max_lng, min_lat], [max_lng, max_lat], [min_lng, max_lat], [min_lng, min_lat]]
        ],
    }
