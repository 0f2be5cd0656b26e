"""Forms of outreach's management pages (outreach/managed.py): they parse and validate input; the services decide
and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wudu.forms import KeyedForm, VersionedForm
from wudu.rules import mobile_validator

from .models import OrganizationKind


class PartyOrgForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=OrganizationKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    secretary = forms.CharField(label=_("书记 / 组长"), max_length=50, required=False)


class PartyOrgCreateForm(KeyedForm, PartyOrgForm):
    pass


class PartyOrgEditForm(VersionedForm, PartyOrgForm):
    pass


class PartyMemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), max_length=11, validators=[mobile_validator])
    registered_on = forms.DateField(label=_("报到日期"), widget=forms.DateInput(attrs={"type": "date"}))
    workplace = forms.CharField(label=_("工作单位党组织"), max_length=100, required=False,
                                help_text=_("在职党员所在单位党组织名称（双报到）；非在职党员不填。"))


class PartyMemberCreateForm(KeyedForm, PartyMemberForm):
    pass


class PartyMemberEditForm(VersionedForm, PartyMemberForm):
    pass
