"""API filters of places, people, memberships, departments and outpost partners.

They narrow a queryset that has already passed the scope gate; none of them grants anything. Places are
named by their unified code; "under" a code means the place with that code and everything below it.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wudu.filters import IdFilter

from .models import Department, Level, Membership, OutpostPartner, PartnerKind, Place, Role, User


class PlaceFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级的统一编号（直属下级）"))
    under = django_filters.CharFilter(field_name="code", lookup_expr="startswith", label=_("统一编号前缀（含自身及以下）"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("名称包含"))

    class Meta:
        model = Place
        fields = ["level", "parent", "under", "name"]


class PersonFilter(django_filters.FilterSet):
    """`role` and `place` apply to the same membership: "grid workers under 411002001"."""

    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"), method="by_membership")
    place = django_filters.CharFilter(label=_("任职地点的统一编号前缀"), method="by_membership")
    q = django_filters.CharFilter(label=_("姓名或用户名包含"), method="by_name")

    class Meta:
        model = User
        fields = ["role", "place", "q"]

    def by_membership(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def by_name(self, queryset, name, value):
        return queryset.filter(Q(real_name__icontains=value) | Q(username__icontains=value))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        role, code = self.form.cleaned_data.get("role"), self.form.cleaned_data.get("place")
        if role or code:
            memberships = Membership.objects.all()
            if role:
                memberships = memberships.filter(role=role)
            if code:
                memberships = memberships.filter(place__code__startswith=code)
            # A subquery rather than a join: one row per person however many memberships match.
            queryset = queryset.filter(pk__in=memberships.values("user_id"))
        return queryset


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"))
    place = django_filters.CharFilter(field_name="place__code", lookup_expr="startswith", label=_("地点的统一编号前缀"))
    user = IdFilter(field_name="user_id", label=_("人员 ID"))
    department = IdFilter(field_name="department_id", label=_("部门 ID"))

    class Meta:
        model = Membership
        fields = ["role", "place", "user", "department"]


class DepartmentFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(field_name="district__code", label=_("所属区的统一编号"))

    class Meta:
        model = Department
        fields = ["district"]


class PartnerFilter(django_filters.FilterSet):
    grid = django_filters.CharFilter(field_name="grid__code", label=_("网格的统一编号"))
    under = django_filters.CharFilter(field_name="grid__code", lookup_expr="startswith", label=_("统一编号前缀"))
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices, label=_("类别"))

    class Meta:
        model = OutpostPartner
        fields = ["grid", "under", "kind"]
