"""API filters of the party organisations and their members (narrowing only; the gate comes first)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from wudu.filters import IdFilter

from .models import OrganizationKind, PartyMember, PartyOrganization


class PartyOrganizationFilter(django_filters.FilterSet):
    place = django_filters.CharFilter(field_name="place__code", label=_("社区或网格的统一编号"))
    under = django_filters.CharFilter(field_name="place__code", lookup_expr="startswith", label=_("统一编号前缀"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("类别"))

    class Meta:
        model = PartyOrganization
        fields = ["place", "under", "kind"]


class PartyMemberFilter(django_filters.FilterSet):
    place = django_filters.CharFilter(field_name="organization__place__code", label=_("社区或网格的统一编号"))
    under = django_filters.CharFilter(
        field_name="organization__place__code", lookup_expr="startswith", label=_("统一编号前缀")
    )
    organization = IdFilter(field_name="organization_id", label=_("党组织 ID"))

    class Meta:
        model = PartyMember
        fields = ["place", "under", "organization"]
