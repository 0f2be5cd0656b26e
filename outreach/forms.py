"""Forms of outreach's management pages (outreach/managed.py): they parse and validate input; the services decide
and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wudu.forms import Form, KeyedForm, VersionedForm
from wudu.measures import Period
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


# ---------------------------------------------------------------------------------------------- party life


class BranchMeetingRecordForm(VersionedForm):
    """The record of a meeting held: the day, the minutes, the members present and, for those absent, a reason.
    The members are those of the meeting's organisation (the service checks it again)."""

    held_on = forms.DateField(label=_("召开日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    minutes = forms.CharField(label=_("会议记录"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("议题、主要内容和决定事项。"))
    present = forms.TypedMultipleChoiceField(label=_("出席党员"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                                             error_messages={"required": _("请勾选出席的党员。")})
    event = forms.TypedChoiceField(label=_("关联活动"), coerce=int, required=False, empty_value=None,
                                   help_text=_("该会议若已作为活动（如主题党日）发布，选择它：签到、志愿时长与本记录为同一次活动。"))

    def __init__(self, *args, members=(), events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["present"].choices = [(m.pk, m.name) for m in self.members]
        self.fields["event"].choices = [("", "—")] + [(e.pk, str(e)) for e in events]
        if not events:
            del self.fields["event"]
        for member in self.members:
            self.fields[f"reason_{member.pk}"] = forms.CharField(
                label=_("%(name)s 缺席原因") % {"name": member.name}, max_length=100, required=False)

    def absences(self) -> dict[int, str]:
        """The members not present, each with the reason given (empty when none)."""
        present = set(self.cleaned_data.get("present") or ())
        return {m.pk: self.cleaned_data.get(f"reason_{m.pk}", "") for m in self.members if m.pk not in present}


class WorkplaceReturnForm(Form):
    quarter = forms.CharField(label=_("季度"), max_length=7, help_text=_("如 2026-Q4。"))
    workplace = forms.CharField(label=_("工作单位党组织"), max_length=100, required=False)

    def clean_quarter(self):
        try:
            period = Period.parse(self.cleaned_data["quarter"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if period.kind != Period.QUARTER:
            raise forms.ValidationError(_("请按季度选择，如 2026-Q4。"))
        return period
