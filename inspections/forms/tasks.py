"""Input of the rectification pages (任务清单, 责任清单, a task's steps, the resident's confirmation): parsed here,
decided and written by inspections.services.tasks. The step form is built from the step's row of
inspections.workflow.STEPS (its note, its inputs)."""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.public_forms import PhotosField
from grids.models import Department, Level, Membership, Place, User
from wudu import rules
from wudu.forms import Form
from wudu.scope import OFFICIALS, Role

from .. import workflow
from ..models import Rectification, Round, TaskStatus

CONFIRM_CHOICES = (("yes", _("已解决")), ("no", _("未解决")))


class ConfirmForm(Form):
    resolved = forms.ChoiceField(label=_("是否已解决"), choices=CONFIRM_CHOICES, widget=forms.RadioSelect,
                                 error_messages={"required": _("请选择已解决或未解决。")})
    comment = forms.CharField(label=_("您的意见（选填）"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class DocumentsField(PhotosField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [forms.FileField.clean(self, f, initial) for f in files]


def owner_choices(finding) -> list[tuple[str, str]]:
    """The units a finding's task may go to: the office of its place and of the places above it in its district
    (community, street, district), and the district's departments. Two queries."""
    code = finding.place.code
    prefixes = [code[:n] for n in range(6, len(code) + 1, 3)]
    places = Place.objects.filter(code__in=prefixes, level__in=(Level.COMMUNITY, Level.STREET, Level.DISTRICT))
    choices = [(f"place:{p.pk}", str(p.name)) for p in places.order_by("-code")]
    departments = Department.objects.filter(district_id=finding.round.district_id).order_by("name")
    choices += [(f"department:{d.pk}", str(d.name)) for d in departments]
    return choices


def responsible_choices(finding) -> list[tuple[int, str]]:
    """The people of those units (officials of the places, staff of the departments), named with their unit."""
    code = finding.place.code
    prefixes = [code[:n] for n in range(6, len(code) + 1, 3)]
    rows = (Membership.objects.filter(Q(role__in=OFFICIALS, place__code__in=prefixes)
                                      | Q(role=Role.DEPARTMENT_STAFF,
                                          department__district_id=finding.round.district_id))
            .values_list("user_id", "user__real_name", "user__username", "place__name", "department__name")
            .order_by("place__code", "department__name", "user__real_name"))
    seen, out = set(), []
    for user_id, real_name, username, place, department in rows:
        if user_id in seen:
            continue
        seen.add(user_id)
        out.append((user_id, f"{real_name or username}（{department or place}）"))
    return out


def parse_owner(value: str):
    """'place:<id>' / 'department:<id>' → (place, department)."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None, None
    if kind == "place":
        return Place.objects.filter(pk=int(pk)).first(), None
    if kind == "department":
        return None, Department.objects.filter(pk=int(pk)).first()
    return None, None


def _deadline_field(required: bool = False):
    return forms.DateField(label=_("整改期限"), required=required, widget=forms.DateInput(attrs={"type": "date"}))


class TaskInputs(Form):
    """The inputs a step names (workflow.INPUTS), as the page asks for them."""

    def style(self) -> None:
        """The form base's Bootstrap classes, for the fields added after it styled its own."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.CheckboxInput | forms.RadioSelect):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])

    def add_inputs(self, step: workflow.Step, finding) -> None:
        if "owner" in step.inputs:
            self.fields["owner"] = forms.ChoiceField(label=_("责任单位"), choices=[("", "—"), *owner_choices(finding)],
                                                     required=step.name == "assign")
            self.fields["responsible"] = forms.TypedChoiceField(
                label=_("责任人"), coerce=int, choices=[("", "—"), *responsible_choices(finding)],
                required=step.name == "assign")
        if "deadline" in step.inputs:
            self.fields["deadline"] = _deadline_field(required=step.name == "extend")
            if step.name == "assign":
                self.fields["deadline"].help_text = _("留空则为该问题的整改报告期限（反馈后两个月）。")
        if "evidence" in step.inputs:
            self.fields["documents"] = DocumentsField(label=_("文件材料"), required=False)
            self.fields["documents"].widget.attrs.update(
                accept=".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png,.txt")
            self.fields["photos"] = PhotosField(label=_("现场照片（带定位）"), required=False)
            self.fields["photos"].widget.attrs.update(accept="image/*", capture="environment")
            self.fields["lng"] = forms.FloatField(widget=forms.HiddenInput, required=False)
            self.fields["lat"] = forms.FloatField(widget=forms.HiddenInput, required=False)
            self.fields["resident_name"] = forms.CharField(label=_("请当事群众确认：姓名"), max_length=50,
                                                           required=False)
            self.fields["resident_mobile"] = forms.CharField(
                label=_("当事群众手机号"), max_length=11, required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": rules.MOBILE, "maxlength": "11"}))

    def owner_inputs(self) -> dict:
        data = self.cleaned_data
        out = {}
        if data.get("owner"):
            out["owner_place"], out["owner_department"] = parse_owner(data["owner"])
        if data.get("responsible"):
            out["responsible"] = User.objects.filter(pk=data["responsible"]).first()
        if "deadline" in self.fields:
            out["deadline"] = data.get("deadline")
        return out


class AssignForm(TaskInputs):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    measure = forms.CharField(label=_("整改措施"), max_length=Rectification._meta.get_field("measure").max_length,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_inputs(workflow.STEPS["assign"], finding)
        self.fields["note"] = forms.CharField(label=_("交办意见"), max_length=workflow.NOTE_MAX, required=False,
                                              widget=forms.Textarea(attrs={"rows": 2}))
        self.style()
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4()


class StepForm(TaskInputs):
    """One step of a task: the note and the inputs its row of workflow.STEPS asks for."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, step: workflow.Step, task: Rectification, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.add_inputs(step, task.finding)
        label = step.note_label or _("说明")
        self.fields["note"] = forms.CharField(
            label=label, max_length=workflow.NOTE_MAX, required=step.note_required,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"required": _("请填写%(label)s。") % {"label": label}})
        self.style()
        if not self.is_bound:
            self.initial.update(version=task.version, key=uuid.uuid4())


class TaskFilterForm(Form):
    """The 任务清单's filters (each backed by an index on the task table)."""

    round = forms.ModelChoiceField(label=_("巡察轮次"), queryset=Round.objects.none(), required=False,
                                   empty_label=_("全部轮次"))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), ("open", _("未销号")), *TaskStatus.choices])
    owner = forms.CharField(required=False, widget=forms.HiddenInput)
    due = forms.ChoiceField(label=_("期限"), required=False,
                            choices=[("", _("不限")), ("soon", _("7 天内到期")), ("overdue", _("已超期"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = Round.objects.visible_to(user).order_by("-starts_on")
