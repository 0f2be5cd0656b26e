"""Input of the phone patrol pages: parsed here, validated and saved by grids.ledger_services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FindingCategory, Household, Place, VisitType


class PatrolStartForm(forms.Form):
    client_id = forms.UUIDField()
    grid = forms.ModelChoiceField(queryset=Place.objects.none(), error_messages={
        "invalid_choice": _("只能巡查本人负责的网格。"), "required": _("请选择一个网格。")})
    started_at = forms.DateTimeField(required=False)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class PatrolEndForm(forms.Form):
    # Accepted for symmetry with the other submissions; a retry is recognised by the same ended_at.
    client_id = forms.UUIDField(required=False)
    ended_at = forms.DateTimeField(required=False)
    route = forms.JSONField(required=False)


class VisitForm(forms.Form):
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
