"""Forms of the management pages: they parse and validate input; the services decide and write."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from wudu.forms import Form, KeyedForm, VersionedForm
from wudu.rules import mobile_validator, phone_validator

from .models import PATROL_MINIMUM_MAX, Department, Level, PartnerKind, Role


class BoundaryField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4, "class": "font-monospace small", "spellcheck": "false"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("边界（GeoJSON）"))
        kwargs.setdefault("help_text", _("Polygon 或 MultiPolygon，经纬度坐标（WGS84）。留空表示暂不设定。"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise forms.ValidationError(_("边界不是有效的 GeoJSON：无法解析。"), code="invalid_geojson") from None


class PlaceCreateForm(KeyedForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    boundary = BoundaryField()


class PlaceEditForm(VersionedForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    boundary = BoundaryField()
    patrol_minimum_minutes = forms.IntegerField(
        label=_("每日最低巡查时长（分钟）"), required=False, min_value=1, max_value=PATROL_MINIMUM_MAX,
        help_text=_("留空则按全区统一要求。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a grid is patrolled: other levels do not offer the field.
        if self.initial.get("level") != Level.GRID:
            del self.fields["patrol_minimum_minutes"]


class AppointForm(KeyedForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    username = forms.RegexField(
        label=_("用户名"), max_length=150, regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @/./+/-/_。")},
    )
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), max_length=11, validators=[mobile_validator])
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none(), required=False)
    work_phone = forms.CharField(label=_("工作电话"), max_length=20, required=False, validators=[phone_validator])
    duties = forms.CharField(label=_("职责"), max_length=200, required=False)

    def __init__(self, *args, roles=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [(r.value, r.label) for r in roles]
        if departments is not None:
            self.fields["department"].queryset = departments


class MembershipEditForm(VersionedForm):
    work_phone = forms.CharField(label=_("工作电话"), max_length=20, required=False, validators=[phone_validator])
    duties = forms.CharField(label=_("职责"), max_length=200, required=False)


class DepartmentCreateForm(KeyedForm):
    name = forms.CharField(label=_("名称"), max_length=50)
    short_code = forms.SlugField(label=_("简码"), max_length=30)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False, validators=[phone_validator])
    duties = forms.CharField(label=_("职责"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DepartmentEditForm(VersionedForm):
    name = forms.CharField(label=_("名称"), max_length=50)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False, validators=[phone_validator])
    duties = forms.CharField(label=_("职责"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PartnerForm(Form):
    kind = forms.ChoiceField(label=_("类别"), choices=PartnerKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    phone = forms.CharField(label=_("电话"), max_length=20, required=False, validators=[phone_validator])


class PartnerCreateForm(KeyedForm, PartnerForm):
    pass


class PartnerEditForm(VersionedForm, PartnerForm):
    pass


class ProfileForm(Form):
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(label=_("手机号码"), max_length=11, validators=[mobile_validator])
    photo = forms.FileField(label=_("照片"), required=False, help_text=_("JPG 或 PNG，不超过 5 MB；将用于网格公示。"))


class InitialPasswordForm(Form):
    password1 = forms.CharField(label=_("初始密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("再次输入"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class LockoutReleaseForm(Form):
    username = forms.CharField(widget=forms.HiddenInput, max_length=150)
    reason = forms.CharField(label=_("解除原因"), max_length=200)
