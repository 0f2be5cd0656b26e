"""Input of the staff case pages: parsed here, decided and written by cases.services."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Department, Place
from grids.models import Level as PlaceLevel
from wudu import rules, scope
from wudu.forms import Form

from . import workflow
from .models import CaseCategory, Evaluation, Kind, Level, Source, Status


def _department_field():
    return forms.ModelChoiceField(label=_("处置部门"), queryset=Department.objects.none(), required=False,
                                  empty_label=_("按类别默认部门"))


def _deadline_field():
    return forms.DateTimeField(label=_("处置时限"), required=False,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                               help_text=_("留空则按类别的处置时限自动计算。"))


# How the page asks a person for each of the step inputs (workflow.INPUTS); a step's row names the ones it needs.
STEP_INPUTS = {
    "department": _department_field,
    "deadline": _deadline_field,
    "days": lambda: forms.IntegerField(label=_("延期天数（工作日）"), min_value=1, max_value=workflow.MAX_EXTENSION_DAYS),
    "evaluation": lambda: forms.ChoiceField(label=_("群众评价"), choices=Evaluation.choices, widget=forms.RadioSelect),
}


class StepForm(Form):
    """One step of the loop: the note, the inputs and the photos its row of workflow.STEPS asks for."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, step: workflow.Step, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        for name in step.inputs:
            self.fields[name] = STEP_INPUTS[name]()
        label = step.note_label or _("说明")
        self.fields["note"] = forms.CharField(
            label=label, max_length=step.note_max, required=step.note_required,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"required": _("请填写%(label)s。") % {"label": label}})
        if "department" in self.fields:
            self.fields["department"].queryset = Department.objects.filter(district_id=case.category.district_id)
            self.fields["department"].initial = case.category.department_id
        if not self.is_bound:
            self.initial.update(version=case.version, key=uuid.uuid4())
        self.photos = step.photos

    def clean_deadline(self):
        value = self.cleaned_data.get("deadline")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("处置时限不能早于现在。"))
        return value

    def inputs(self) -> dict:
        """The step's own inputs, as the service takes them."""
        return {name: self.cleaned_data.get(name) for name in self.step.inputs}


class GroupedGrids(forms.models.ModelChoiceIterator):
    """The grids (community · grid) under their street (optgroups), in code order: a list of 249 same-named
    第N网格 reads only with its places, and the chosen one still says its community when the list is closed."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for grid in self.queryset:
            groups.setdefault(grid.parent.parent.name, []).append(self.choice(grid))
        yield from groups.items()


class GridChoiceField(forms.ModelChoiceField):
    iterator = GroupedGrids


class GridSelect(forms.Select):
    """Each grid's option carries its unified code (data-code): the map (static/js/grid-picker.js) finds a point's
    grid by its code among the public polygons and chooses the option that has it."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        grid = getattr(value, "instance", None)
        if grid is not None:
            option["attrs"]["data-code"] = grid.code
        return option


class CaseCreateForm(Form):
    """A case entered by staff: the grid worker's report, the hotline, an assignment from above."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("来源"), choices=[], required=False)
    grid = GridChoiceField(label=_("网格"), queryset=Place.objects.none(),
                           error_messages={"invalid_choice": _("只能在您负责的网格内登记事件。")},
                           widget=GridSelect(attrs={"data-searchable": "",
                                                    "data-search-label": _("按街道、社区或网格名查找")}))
    category = forms.ModelChoiceField(label=_("事件类别"), queryset=CaseCategory.objects.none())
    description = forms.CharField(label=_("问题描述"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("地址或位置说明"), max_length=200, required=False)
    level = forms.ChoiceField(label=_("处置层级"), choices=[
        (Level.CENTER, _("网格解决不了，上报指挥中心")), (Level.GRID, _("网格内处置")), (Level.BUILDING, _("楼院内处置"))],
        initial=Level.CENTER, widget=forms.RadioSelect, required=False)
    settled_result = forms.CharField(label=_("已就地解决的，填写处置结果"), max_length=1000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.ORDINARY, required=False)
    resident_name = forms.CharField(label=_("反映人称呼"), max_length=30, required=False)
    resident_mobile = forms.CharField(label=_("反映人手机"), required=False, validators=[rules.resident_mobile_validator],
                                      help_text=_("填写后，群众会收到受理编号和进度查询链接的短信。"))
    lng = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)

    def __init__(self, *args, user, sources: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["source"].choices = [(s, Source(s).label) for s in sources]
        self.fields["source"].initial = sources[0]
        self.default_source = sources[0]
        # Grouped by street; the grids' polygons are not needed to list them.
        grids = (Place.objects.visible_to(user).filter(level=PlaceLevel.GRID).select_related("parent__parent")
                 .defer("boundary", "parent__boundary", "parent__parent__boundary"))
        self.fields["grid"].queryset = grids.order_by("code")
        self.fields["grid"].label_from_instance = lambda g: f"{g.parent.name} · {g.name}"
        self.fields["category"].queryset = CaseCategory.objects.visible_to(user).filter(active=True)
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4()
            if len(self.fields["grid"].queryset[:2]) == 1:
                self.initial["grid"] = self.fields["grid"].queryset[0]
        if len(sources) == 1:
            self.fields["source"].widget = forms.HiddenInput()
        if sources == [Source.PATROL]:
            # The resident who raised it (optional): they get the reference and the tracking link by SMS.
            del self.fields["kind"]
        if Source.PATROL not in sources:
            del self.fields["level"], self.fields["settled_result"]

    def clean_level(self):
        return self.cleaned_data.get("level") or Level.CENTER

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Kind.ORDINARY

    def clean(self):
        data = super().clean()
        if not data.get("source"):
            # None chosen: the usual way the user's grants allow at this grid (the service checks it again).
            at_grid = workflow.entry_sources(self.user, data["grid"]) if data.get("grid") else []
            data["source"] = at_grid[0] if at_grid else self.default_source
        return data


class CaseListFilterForm(Form):
    q = forms.CharField(label=_("受理编号、手机号或关键词"), required=False, max_length=100)
    place = forms.CharField(label=_("地点编号"), required=False, max_length=30)
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ModelChoiceField(label=_("事件类别"), required=False, queryset=CaseCategory.objects.none(),
                                      empty_label=_("全部"))
    source = forms.ChoiceField(label=_("来源"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部")), ("open", _("未办结"))] + list(Status.choices)
        self.fields["source"].choices = [("", _("全部"))] + list(Source.choices)
        self.fields["category"].queryset = CaseCategory.objects.visible_to(user)


class BatchDispatchForm(Form):
    """The queue's selected cases (reference:version as the rows were read), dispatched together."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    department = forms.ModelChoiceField(label=_("处置部门"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("按类别默认部门"),
                                        widget=forms.Select(attrs={"class": "form-select-sm"}))
    note = forms.CharField(label=_("派遣意见"), max_length=workflow.NOTE_MAX, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = scope.places_of(user, scope.Role.COMMAND_CENTER)
        self.fields["department"].queryset = Department.objects.filter(district_id__in=districts).order_by("name")
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4()

    def clean(self):
        data = super().clean()
        items = []
        for value in self.data.getlist("case") if hasattr(self.data, "getlist") else []:
            reference, _colon, version = str(value).partition(":")
            if not (reference and version.isdigit()):
                raise forms.ValidationError(_("所选事件无效，请刷新页面后重试。"))
            items.append((reference, int(version)))
        if not items:
            raise forms.ValidationError(_("请至少选择一件事件。"))
        data["cases"] = items
        return data
