"""Forms of outreach's management pages (outreach/managed.py): they parse and validate input; the services decide
and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wudu.forms import KeyedForm, VersionedForm
from wudu.rules import mobile_validator

from .models import LecturerKind, OrganizationKind


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


class PartyMemberCreateForm(KeyedForm, PartyMemberForm):
    pass


class PartyMemberEditForm(VersionedForm, PartyMemberForm):
    pass


# ---------------------------------------------------------------------------------------------- the lecturers' pool


class LecturerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), max_length=11, validators=[mobile_validator])
    kind = forms.ChoiceField(label=_("身份"), choices=LecturerKind.choices)
    unit = forms.CharField(label=_("工作单位"), max_length=100, required=False)


class LecturerCreateForm(KeyedForm, LecturerForm):
    pass


class LecturerEditForm(VersionedForm, LecturerForm):
    active = forms.BooleanField(label=_("在库"), required=False, help_text=_("不再宣讲的，取消勾选即停用，记录保留。"))
