"""Input of the bulletin pages: parsed here, decided and written by bulletins.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Department, Place
from wudu import measures, scope
from wudu.forms import Form, KeyedForm
from wudu.scope import Role

from .models import Bulletin, Kind

PARTS = (("n", _("分子")), ("d", _("分母")))


class ListFilterForm(Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *Kind.choices])


class DrillForm(forms.Form):
    """The figure whose rows are listed: a measure on a line, its numerator or denominator, published or today."""

    measure = forms.CharField(max_length=40)
    unit = forms.CharField(max_length=32)
    part = forms.ChoiceField(choices=PARTS)
    today = forms.BooleanField(required=False)


def speaks_for(user, bulletin: Bulletin) -> list[dict]:
    """The lines of the bulletin the user may object to: a place line where the user holds a (non-department)
    grant at that very place, a department's line for that department's staff. The same rule as
    services._line_grant, which decides; tests/bulletins/test_pages.py checks that the two agree."""
    grants = scope.grants_for(user)
    places = {g.code for g in grants if g.role != Role.DEPARTMENT_STAFF}
    departments = {g.department_id for g in grants if g.role == Role.DEPARTMENT_STAFF}
    out = []
    for line in _lines(bulletin):
        unit = line["unit"]
        if (unit.startswith("d") and int(unit[1:]) in departments) or (not unit.startswith("d") and unit in places):
            out.append(line)
    return out


def _lines(bulletin: Bulletin) -> list[dict]:
    return bulletin.snapshot.get("lines", []) + bulletin.snapshot.get("departments", [])


class ObjectionForm(KeyedForm):
    """申诉: the unit's own line, optionally a measure and a case, the reason and the evidence."""

    unit = forms.ChoiceField(label=_("申诉单位"), error_messages={
        "invalid_choice": _("该单位不在本通报中。"), "required": _("请选择申诉的单位。")})
    measure = forms.ChoiceField(label=_("涉及指标"), required=False)
    case_reference = forms.CharField(label=_("涉及事件编号"), required=False, max_length=20,
                                     help_text=_("申诉某一件事件的计入时填写受理编号。"))
    reason = forms.CharField(label=_("申诉理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写申诉理由。")})
    evidence = forms.CharField(label=_("证据说明"), required=False, max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("如现场照片、工单截图的存放位置和说明。"))

    def __init__(self, *args, bulletin: Bulletin, user, shown_measures: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.mine = speaks_for(user, bulletin)
        # Any line of the bulletin passes the form: the service says why another unit's line is refused.
        self.fields["unit"].choices = [(line["unit"], line["label"]) for line in _lines(bulletin)]
        self.fields["unit"].widget.choices = [(line["unit"], line["label"]) for line in self.mine]
        self.fields["measure"].choices = [("", _("（不限）")), *((m["code"], m["label"]) for m in shown_measures)]
        if len(self.mine) == 1 and not self.is_bound:
            self.initial["unit"] = self.mine[0]["unit"]

    def line(self) -> tuple[Place | None, Department | None]:
        unit = self.cleaned_data["unit"]
        if unit.startswith("d"):
            return None, Department.objects.filter(pk=int(unit[1:])).first()
        return Place.objects.filter(code=unit).first(), None


class DecisionForm(Form):
    """The command center's answer to one objection (prefixed by the objection: several on one page)."""

    verdict = forms.ChoiceField(choices=(("accept", _("采纳")), ("reject", _("不采纳"))),
                                error_messages={"required": _("请选择采纳或不采纳。")})
    decision = forms.CharField(label=_("处理意见"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                               error_messages={"required": _("请填写处理意见。")})
    exclude_case = forms.BooleanField(label=_("核减该事件（从本单位的数据中剔除）"), required=False)

    def __init__(self, *args, objection, **kwargs):
        kwargs.setdefault("prefix", f"o{objection.pk}")
        super().__init__(*args, **kwargs)
        self.objection = objection
        if not objection.case_reference:
            del self.fields["exclude_case"]


class PublishForm(Form):
    lock = forms.IntegerField(widget=forms.HiddenInput)


class CorrectionForm(Form):
    reason = forms.CharField(label=_("更正原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写更正原因。")})


BAND_ROWS = 4


class SchemeForm(Form):
    """A weight scheme: a weight per measure (blank or 0: not in the score), the minimum volume, the bands.
    The sums and limits are the service's rules (services.scheme_validate); the form only reads numbers."""

    name = forms.CharField(label=_("方案名称"), max_length=50, error_messages={"required": _("请填写方案名称。")})
    min_volume = forms.IntegerField(label=_("最低样本量"), help_text=_("应结案事件少于此数的单位列出但不排名。"),
                                    error_messages={"required": _("请填写最低样本量。"),
                                                    "invalid": _("最低样本量应为整数。")})
    is_default = forms.BooleanField(label=_("设为默认方案"), required=False,
                                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_fields = []
        weights = {entry["measure"]: entry["weight"] for entry in (scheme.weights if scheme else [])}
        for measure in measures.all_measures():
            name = f"w_{measure.code}"
            self.fields[name] = forms.DecimalField(
                label=measure.label, required=False, max_digits=6, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "any", "min": "0"}),
                help_text=_("越低越好，按（1−比率）计分") if not measure.higher_is_better else "",
                error_messages={"invalid": _("权重应为数字。")})
            self.measure_fields.append(name)
            if measure.code in weights and not self.is_bound:
                self.initial[name] = weights[measure.code]
        self.band_rows = []
        bands = list(scheme.bands) if scheme else [{"label": "优秀", "min": 90}, {"label": "良好", "min": 80},
                                                   {"label": "合格", "min": 60}, {"label": "不合格", "min": 0}]
        for index in range(BAND_ROWS):
            label, minimum = f"band_label_{index}", f"band_min_{index}"
            self.fields[label] = forms.CharField(label=_("等次"), required=False, max_length=10, widget=forms.TextInput(
                attrs={"aria-label": _("等次名称"), "placeholder": _("等次名称"), "class": "form-control"}))
            self.fields[minimum] = forms.DecimalField(
                label=_("最低分"), required=False, max_digits=5, decimal_places=2,
                widget=forms.NumberInput(attrs={"aria-label": _("最低分"), "placeholder": _("最低分"),
                                                "class": "form-control", "step": "any"}),
                error_messages={"invalid": _("分数应为数字。")})
            self.band_rows.append((label, minimum))
            if index < len(bands) and not self.is_bound:
                self.initial[label], self.initial[minimum] = bands[index]["label"], bands[index]["min"]
        if scheme is not None and not self.is_bound:
            self.initial.update(name=scheme.name, min_volume=scheme.min_volume, is_default=scheme.is_default,
                                version=scheme.version)
        elif not self.is_bound:
            self.initial["min_volume"] = 5

    def add_service_error(self, error, *, field=None) -> None:
        """The service's word on the weights or the bands goes next to them (they are many inputs, not one)."""
        self.group_errors = getattr(self, "group_errors", {})
        if hasattr(error, "error_dict"):
            for name in ("weights", "bands"):
                if name in error.error_dict:
                    self.group_errors[name] = [m for e in error.error_dict.pop(name) for m in e.messages]
            if not error.error_dict:
                return
        super().add_service_error(error, field=field)

    def weight_fields(self):
        return [self[name] for name in self.measure_fields]

    def band_fields(self):
        return [(self[label], self[minimum]) for label, minimum in self.band_rows]

    def weights(self) -> list[dict]:
        out = []
        for name in self.measure_fields:
            value = self.cleaned_data.get(name)
            if value is None or value == 0:
                continue
            out.append({"measure": name[2:], "weight": int(value) if value == int(value) else float(value)})
        return out

    def bands(self) -> list[dict]:
        out = []
        for label, minimum in self.band_rows:
            text, value = (self.cleaned_data.get(label) or "").strip(), self.cleaned_data.get(minimum)
            if not text and value is None:
                continue
            out.append({"label": text, "min": None if value is None else (
                int(value) if value == int(value) else float(value))})
        return out
