"""Input of residents' self-service pages: parsed here, validated and saved by cases.services."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids.models import Place
from wudu.forms import Form
from wudu.rules import MAX_PHOTOS, MOBILE, resident_mobile_validator

from . import public_selectors
from .models import Evaluation


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}, code="too_many_photos")
        return [super(PhotosField, self).clean(f, initial) for f in files]


def _text(**attrs):
    return {"class": "form-control form-control-lg", **attrs}


class SubmitForm(Form):
    mobile = forms.CharField(
        label=_("手机号码"), max_length=11, validators=[resident_mobile_validator],
        help_text=_("仅用于告知办理进度，不会公开。"),
        error_messages={"required": _("请填写手机号码，我们通过它告知您办理进度。"),
                        "max_length": _("请输入 11 位手机号码。")},
        widget=forms.TextInput(attrs=_text(inputmode="numeric", autocomplete="tel", pattern=MOBILE,
                                           maxlength="11")))
    name = forms.CharField(
        label=_("怎么称呼您"), max_length=30, required=False,
        error_messages={"max_length": _("称呼不能超过 30 个字。")},
        widget=forms.TextInput(attrs=_text(autocomplete="name", placeholder=_("如：王女士"))))
    category = forms.ModelChoiceField(
        label=_("问题类别"), queryset=public_selectors.public_categories(), empty_label=_("请选择问题类别"),
        error_messages={"required": _("请选择问题类别。"), "invalid_choice": _("请选择列表中的问题类别。")},
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    description = forms.CharField(
        label=_("问题描述"), max_length=1000,
        error_messages={"required": _("请描述您遇到的问题。"), "max_length": _("问题描述不能超过 1000 字。")},
        widget=forms.Textarea(attrs=_text(rows=4, maxlength="1000",
                                          placeholder=_("发生了什么、在哪里、持续多久……"))))
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput,
                           error_messages={"invalid": _("位置无效，请在地图上重新选择。")})
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput,
                           error_messages={"invalid": _("位置无效，请在地图上重新选择。")})
    grid = forms.ChoiceField(
        label=_("所在网格"), required=False, error_messages={"invalid_choice": _("请选择列表中的网格。")},
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    address = forms.CharField(
        label=_("详细地址"), max_length=200, required=False,
        error_messages={"max_length": _("地址不能超过 200 字。")},
        widget=forms.TextInput(attrs=_text(autocomplete="street-address", placeholder=_("如：六一路 12 号院 3 号楼"))))
    photos = PhotosField(
        label=_("照片"), required=False,
        widget=MultipleFileInput(attrs={"class": "form-control", "accept": "image/*"}))
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    # A field people never see: bots that fill every input fill this one too.
    website = forms.CharField(required=False, label=_("请勿填写此项"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", _("不用地图？请选择所在网格"))] + public_selectors.grid_choices()
        if not self.is_bound:
            # One key per rendered form: a retried or double-clicked submission returns the same case.
            self.initial["key"] = str(uuid.uuid4())

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean_key(self) -> str | None:
        try:
            return str(uuid.UUID(self.cleaned_data["key"]))
        except ValueError:
            return None  # a client without the key just loses the retry protection

    def clean_grid(self) -> Place | None:
        code = self.cleaned_data["grid"]
        if not code:
            return None
        grid = Place.objects.grids().filter(code=code).first()
        if grid is None:
            raise ValidationError(_("请选择列表中的网格。"), code="invalid_choice")
        return grid

    def clean(self):
        data = super().clean()
        point = data.get("lng") is not None and data.get("lat") is not None
        if not point and not data.get("grid") and "grid" not in self.errors and "lng" not in self.errors:
            self.add_error("grid", _("请在地图上点选问题位置，或选择所在网格。"))
        return data


class LookupForm(Form):
    reference = forms.CharField(
        label=_("受理编号"), max_length=20, error_messages={"required": _("请填写受理编号。")},
        widget=forms.TextInput(attrs=_text(inputmode="numeric", autocomplete="off")))
    mobile = forms.CharField(
        label=_("手机号码"), max_length=11, validators=[resident_mobile_validator],
        error_messages={"required": _("请填写提交时留的手机号码。"), "max_length": _("请输入 11 位手机号码。")},
        widget=forms.TextInput(attrs=_text(inputmode="numeric", autocomplete="tel", maxlength="11")))


class EvaluationForm(Form):
    evaluation = forms.ChoiceField(
        label=_("您对办理结果是否满意？"), choices=Evaluation.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input me-2"}),
        error_messages={"required": _("请选择满意、基本满意或不满意。"),
                        "invalid_choice": _("请选择满意、基本满意或不满意。")})
    comment = forms.CharField(
        label=_("意见或建议"), max_length=500, required=False,
        error_messages={"max_length": _("意见不能超过 500 字。")},
        widget=forms.Textarea(attrs=_text(rows=3, maxlength="500", placeholder=_("您的意见有助于我们改进工作"))))
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": _("页面已过期，请刷新后再评价。"), "invalid": _("页面已过期，请刷新后再评价。")})
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.update(version=version, key=str(uuid.uuid4()))
