"""API filters of the grid register and the ledger: households, sites, patrols, visits, reports, spot checks.

Like grids/filters.py they narrow a queryset that has already passed the scope gate; none grants anything.
"under" a code means the place with that code and everything below it. Dates are local days
(Asia/Shanghai): a filter on a day turns into a range of timestamps, so the time indexes still apply.
"""

import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Level
from wudu.filters import IdFilter, TimeFilter

from .models import DailyReport, Household, Patrol, Site, SpotCheck, Visit
from .reports import day_window


def _grid_filters():
    return (
        django_filters.CharFilter(field_name="grid__code", label=_("网格的统一编号")),
        django_filters.CharFilter(field_name="grid__code", lookup_expr="startswith", label=_("统一编号前缀")),
    )


class HouseholdFilter(django_filters.FilterSet):
    grid, under = _grid_filters()
    tag = django_filters.CharFilter(field_name="tags__code", label=_("标签简码"))

    class Meta:
        model = Household
        fields = ["grid", "under", "tag"]


class SiteFilter(django_filters.FilterSet):
    grid, under = _grid_filters()

    class Meta:
        model = Site
        fields = ["grid", "under", "kind"]


class PatrolFilter(django_filters.FilterSet):
    worker = IdFilter(field_name="worker_id", label=_("网格员 ID"))
    grid, under = _grid_filters()
    started_after = TimeFilter(field_name="started_at", lookup_expr="gte", label=_("开始时间不早于"))
    started_before = TimeFilter(field_name="started_at", lookup_expr="lt", label=_("开始时间早于"))
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label=_("未结束"))

    class Meta:
        model = Patrol
        fields = ["worker", "grid", "under", "started_after", "started_before", "open"]


OPEN_FINDING = Q(category__isnull=False, settled=False, escalated_at__isnull=True)


class VisitFilter(django_filters.FilterSet):
    worker = IdFilter(field_name="worker_id", label=_("网格员 ID"))
    grid, under = _grid_filters()
    date_after = django_filters.DateFilter(method="from_day", label=_("走访日期从（含）"))
    date_before = django_filters.DateFilter(method="to_day", label=_("走访日期到（含）"))
    category = django_filters.CharFilter(field_name="category__code", label=_("问题类别简码"))
    settled = django_filters.BooleanFilter(label=_("当场解决"))
    open = django_filters.BooleanFilter(method="open_findings", label=_("仅未解决的问题"))

    class Meta:
        model = Visit
        fields = ["worker", "grid", "under", "date_after", "date_before", "category", "settled", "open"]

    def from_day(self, queryset, name, value: datetime.date):
        return queryset.filter(visited_at__gte=day_window(value)[0])

    def to_day(self, queryset, name, value: datetime.date):
        return queryset.filter(visited_at__lt=day_window(value)[1])

    def open_findings(self, queryset, name, value: bool):
        return queryset.filter(OPEN_FINDING) if value else queryset.exclude(OPEN_FINDING)


class DailyReportFilter(django_filters.FilterSet):
    place = django_filters.CharFilter(field_name="place__code", label=_("地点的统一编号"))
    under = django_filters.CharFilter(field_name="place__code", lookup_expr="startswith", label=_("统一编号前缀"))
    level = django_filters.ChoiceFilter(field_name="place__level", choices=Level.choices, label=_("层级"))
    date = django_filters.DateFilter(label=_("日期"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("日期从（含）"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("日期到（含）"))

    class Meta:
        model = DailyReport
        fields = ["place", "under", "level", "date", "date_after", "date_before"]


class SpotCheckFilter(django_filters.FilterSet):
    grid, under = _grid_filters()
    checked_after = django_filters.DateFilter(field_name="checked_on", lookup_expr="gte", label=_("暗访日期从（含）"))
    checked_before = django_filters.DateFilter(field_name="checked_on", lookup_expr="lte", label=_("暗访日期到（含）"))

    class Meta:
        model = SpotCheck
        fields = ["grid", "under", "checked_after", "checked_before"]
