"""Input of the phone patrol pages and of the management pages of households, sites and spot checks: parsed here,
validated and saved by ledger.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Place
from wudu.forms import Form, KeyedForm, VersionedForm
from wudu.rules import mobile_validator

from .models import FindingCategory, Household, HouseholdTag, SiteKind, VisitType


class PatrolStartForm(Form):
    client_id = forms.UUIDField()
    grid = forms.ModelChoiceField(queryset=Place.objects.none(), error_messages={
        "invalid_choice": _("只能巡查本人负责的网格。"), "required": _("请选择一个网格。")})
    started_at = forms.DateTimeField(required=False)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class PatrolEndForm(Form):
    # Accepted for symmetry with the other submissions; a retry is recognised by the same ended_at.
    client_id = forms.UUIDField(required=False)
    ended_at = forms.DateTimeField(required=False)
    route = forms.JSONField(required=False)


class VisitForm(Form):
    client_id = forms.UUIDField()
    visit_type = forms.ChoiceField(choices=VisitType.choices, error_messages={"required": _("请选择走访类型。")})
    visited_at = forms.DateTimeField(required=False)
    household = forms.ModelChoiceField(queryset=Household.objects.none(), required=False, error_messages={
        "invalid_choice": _("该住户不在本网格内，只能走访本网格的住户。")})
    category = forms.ModelChoiceField(queryset=FindingCategory.objects.all(), required=False, error_messages={
        "invalid_choice": _("请选择有效的问题类别。")})
    unsettled = forms.BooleanField(required=False)
    finding = forms.CharField(required=False, max_length=500)
    action = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(user)


class HouseholdForm(Form):
    address = forms.CharField(label=_("地址"), max_length=200)
    unit = forms.CharField(label=_("单元"), max_length=20, required=False)
    room = forms.CharField(label=_("门牌号"), max_length=20, required=False)
    head_name = forms.CharField(label=_("户主"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=11, required=False, validators=[mobile_validator])
    residents = forms.IntegerField(label=_("居住人数"), min_value=0, max_value=99, initial=1)
    tags = forms.ModelMultipleChoiceField(label=_("标签"), queryset=HouseholdTag.objects.all(), required=False,
                                          widget=forms.CheckboxSelectMultiple)


class HouseholdCreateForm(KeyedForm, HouseholdForm):
    pass


class HouseholdEditForm(VersionedForm, HouseholdForm):
    pass


class SiteForm(Form):
    kind = forms.ChoiceField(label=_("类别"), choices=SiteKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lng = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    duty_radius_m = forms.IntegerField(label=_("责任半径（米）"), required=False, min_value=1, max_value=10000)


class SiteCreateForm(KeyedForm, SiteForm):
    pass


class SpotCheckCreateForm(KeyedForm):
    checked_on = forms.DateField(label=_("暗访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 4}))
    score = forms.DecimalField(label=_("评分"), min_value=0, max_value=100, decimal_places=1, max_digits=5)
