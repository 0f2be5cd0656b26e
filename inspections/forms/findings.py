"""Forms of the findings pages: they parse and validate input; inspections.services.findings decides and writes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseCategory
from wudu.forms import Form, KeyedForm, VersionedForm

from ..models import Category, Disclosure, FindingStatus, Severity

MAX_FILES = 10  # one submission (DATA_UPLOAD_MAX_NUMBER_FILES)


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Documents and photos in one input (the service checks each: PDF, JPG or PNG, size, content)."""

    widget = _MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise ValidationError(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES}, code="too_many_files")
        if not files and self.required:
            raise ValidationError(_("请选择要上传的文件。"), code="required")
        return [super(EvidenceFilesField, self).clean(f, initial) for f in files]


def _files_field(required: bool = False):
    return EvidenceFilesField(label=_("佐证材料（照片或 PDF）"), required=required,
                              widget=_MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
                              help_text=_("可拍照上传；照片会去除位置等隐私信息。"))


class FindingFieldsForm(Form):
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices, initial=Severity.MINOR)
    title = forms.CharField(label=_("问题"), max_length=200)
    facts = forms.CharField(label=_("事实"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    found_on = forms.DateField(label=_("发现日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    rectification_due = forms.DateField(label=_("整改报告期限"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                        help_text=_("不填则为反馈之日起按本轮整改期限（默认两个月）。"))
    case_category = forms.ModelChoiceField(label=_("对应事件类别"), queryset=CaseCategory.objects.none(),
                                           required=False,
                                           help_text=_("如为群众身边问题，选择对应的事件类别：整改后同类事件再次发生将自动关联。"))
    disclosure = forms.ChoiceField(label=_("公开范围"), choices=Disclosure.choices, initial=Disclosure.INTERNAL,
                                   widget=forms.RadioSelect)
    public_summary = forms.CharField(label=_("公开摘要（脱敏）"), max_length=300, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("公开的问题必填；不得含有姓名、手机号、证件号、门牌号。"))

    def __init__(self, *args, case_categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case_categories is not None:
            self.fields["case_category"].queryset = case_categories


class FindingRecordForm(KeyedForm, FindingFieldsForm):
    where = forms.ChoiceField(label=_("巡察组 · 问题所在"))
    files = _files_field()
    field_order = ["where", "category", "severity", "title", "facts", "files", "found_on", "disclosure",
                   "public_summary", "case_category", "rectification_due"]

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = list(places)
        if not self.is_bound:
            self.initial.setdefault("found_on", timezone.localdate())

    def clean_where(self) -> tuple[int, str]:
        team, _sep, code = self.cleaned_data["where"].partition(":")
        if not team.isdigit() or not code:
            raise ValidationError(_("请选择问题所在。"), code="invalid")
        return int(team), code


class FindingEditForm(VersionedForm, FindingFieldsForm):
    pass


class FindingDismissForm(VersionedForm):
    reason = forms.CharField(label=_("不予认定理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class FindingEvidenceForm(Form):
    files = _files_field(required=True)


class FindingFilterForm(Form):
    round = forms.TypedChoiceField(label=_("巡察轮次"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("问题类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    severity = forms.ChoiceField(label=_("严重程度"), required=False)
    place = forms.ChoiceField(label=_("问题所在"), required=False)

    def __init__(self, *args, rounds=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["round"].choices = everything + list(rounds)
        self.fields["category"].choices = everything + list(Category.choices)
        self.fields["status"].choices = everything + list(FindingStatus.choices)
        self.fields["severity"].choices = everything + list(Severity.choices)
        self.fields["place"].choices = everything + list(places)
