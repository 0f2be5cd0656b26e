"""Input of the affairs pages: parsed here, validated and saved by affairs.services."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids.models import Department, Place
from wudu.forms import Form
from wudu.rules import MOBILE, resident_mobile_validator

from .models import ResultKind, Satisfaction, ServiceItem


def _key_initial(form: forms.Form) -> None:
    if not form.is_bound:
        form.initial["key"] = str(uuid.uuid4())


class MobileForm(Form):
    mobile = forms.CharField(
        label=_("手机号码"), max_length=11, validators=[resident_mobile_validator],
        help_text=_("我们向该号码发送验证码，并通过它告知办理进度。"),
        error_messages={"required": _("请填写手机号码。"), "max_length": _("请输入 11 位手机号码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel", "pattern": MOBILE,
                                      "maxlength": "11"}))


class CodeForm(Form):
    code = forms.RegexField(
        label=_("短信验证码"), regex=r"^[0-9]{6}$",
        error_messages={"required": _("请填写短信验证码。"), "invalid": _("验证码为 6 位数字。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}))


class MaterialsForm(Form):
    """One file field per material requirement of the item (all optional here: the service says what is missing,
    next to the field). The fields are added after the base form styled its own, so they carry Bootstrap's class
    themselves: without it a file input keeps its intrinsic width and overflows a 360 px phone inside a card."""

    def __init__(self, *args, requirements=(), only=None, **kwargs):
        super().__init__(*args, **kwargs)
        for requirement in requirements:
            if only is not None and requirement.pk not in only:
                continue
            label = requirement.name if requirement.required or only is not None else _("%(name)s（选交）") % {
                "name": requirement.name}
            self.fields[f"material_{requirement.pk}"] = forms.FileField(
                label=label, required=False, help_text=requirement.example,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf", "class": "form-control"}))
        self.fields["key"] = forms.CharField(required=False, widget=forms.HiddenInput)
        _key_initial(self)

    def files_by_requirement(self) -> dict[int, object]:
        return {int(name.removeprefix("material_")): value for name, value in self.cleaned_data.items()
                if name.startswith("material_") and value}

    def clean_key(self):
        try:
            return str(uuid.UUID(self.cleaned_data["key"]))
        except ValueError:
            return None


class ApplyForm(MaterialsForm):
    name = forms.CharField(label=_("申请人姓名"), max_length=30,
                           error_messages={"required": _("请填写申请人姓名。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["name"])


class OnBehalfForm(ApplyForm):
    mobile = forms.CharField(
        label=_("申请人手机号码"), max_length=11, validators=[resident_mobile_validator],
        error_messages={"required": _("请填写手机号码。"), "max_length": _("请输入 11 位手机号码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": MOBILE, "maxlength": "11"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "mobile"])


class StepForm(Form):
    """Every input a handling step may take; workflow.STEPS says which are needed for which step."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    materials = forms.MultipleChoiceField(label=_("需补正的材料（一次列明全部）"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    unit = forms.ChoiceField(label=_("转办至"), required=False)
    result_kind = forms.ChoiceField(label=_("办理结果"), required=False,
                                    choices=[("", "—"), *ResultKind.choices])
    result = forms.CharField(label=_("结果说明（证明内容或领取地点、时间）"), max_length=500, required=False)
    reason = forms.CharField(label=_("不予办理理由"), max_length=500, required=False)
    basis = forms.CharField(label=_("不予办理依据"), max_length=500, required=False)

    def __init__(self, *args, item: ServiceItem, version: int, district: Place, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(str(m.pk), m.name) for m in item.materials.all()]
        units = [(f"p{p.pk}", p.name) for p in Place.objects.filter(
            code__startswith=district.code, level__in=["district", "street", "community"]).order_by("code")]
        units += [(f"d{d.pk}", d.name) for d in Department.objects.filter(district=district)]
        self.fields["unit"].choices = [("", "—"), *units]
        if not self.is_bound:
            self.initial.update(version=version, key=str(uuid.uuid4()))

    def clean_unit(self):
        value = self.cleaned_data["unit"]
        if not value:
            return None
        model = Place if value[0] == "p" else Department
        found = model.objects.filter(pk=int(value[1:])).first()
        if found is None:
            raise ValidationError(_("请选择列表中的单位。"))
        return found


class RatingForm(Form):
    """好差评 from the tracking page: one of five levels and an optional comment."""

    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    level = forms.TypedChoiceField(label=_("您对本次办理的评价"), choices=Satisfaction.choices, coerce=int,
                                   widget=forms.RadioSelect, error_messages={"required": _("请选择评价等级。")})
    comment = forms.CharField(label=_("评价意见（选填）"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _key_initial(self)


class RectifyForm(Form):
    """The handling unit's answer to a bad rating: what was done."""

    answer = forms.CharField(label=_("整改情况（将告知申请人）"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": _("请填写整改情况。")})


class RevokeCertificateForm(Form):
    reason = forms.CharField(label=_("作废原因"), max_length=200, error_messages={"required": _("作废须填写原因。")})
