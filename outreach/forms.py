"""Forms of outreach's management pages (outreach/managed.py): they parse and validate input; the services decide
and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wudu.forms import Form, KeyedForm, VersionedForm
from wudu.measures import Period
from wudu.rules import MAX_PHOTOS, mobile_validator, phone_validator

from .models import AudienceCount, EventKind, LecturerKind, OrganizationKind


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


# ---------------------------------------------------------------------------------------------- events (活动)

_WHEN = {"type": "datetime-local"}


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EventPhotosField(forms.FileField):
    """Up to MAX_PHOTOS photos in one input (the service re-encodes and checks each through wudu/images.py)."""

    widget = _MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS}, code="too_many_photos")
        return [super().clean(f, initial) for f in files]


class EventFieldsForm(Form):
    kind = forms.ChoiceField(label=_("类别"), choices=EventKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    topic = forms.CharField(label=_("主题"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs=_WHEN, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs=_WHEN, format="%Y-%m-%dT%H:%M"))
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    lng = forms.FloatField(label=_("经度"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("纬度"), required=False, min_value=-90, max_value=90)
    speakers = forms.CharField(label=_("主讲人 / 表演者"), max_length=200, required=False)
    stream_url = forms.URLField(label=_("直播链接"), required=False, assume_scheme="https")
    planned_audience = forms.IntegerField(label=_("计划受众人数"), required=False, min_value=0)
    counts_as_service = forms.BooleanField(label=_("计入志愿服务时长"), required=False,
                                           widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                                           help_text=_("演出、排练默认不计入；确属志愿服务时勾选。"))


class EventCreateForm(KeyedForm, EventFieldsForm):
    venue = forms.ChoiceField(label=_("活动地点"))
    organizer = forms.ChoiceField(label=_("主办方"), required=False)
    back_entry_reason = forms.CharField(label=_("补录原因"), max_length=200, required=False,
                                        help_text=_("仅补录已过去的活动时填写；须由创建人以外的人员审批发布。"))
    field_order = ["kind", "title", "topic", "venue", "organizer", "starts_at", "ends_at"]

    def __init__(self, *args, venues=(), organizers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = list(venues)
        self.fields["organizer"].choices = [("", _("活动地点所在单位"))] + list(organizers)


class EventEditForm(VersionedForm, EventFieldsForm):
    pass


class EventPublishForm(VersionedForm):
    back_entry_reason = forms.CharField(label=_("补录原因"), max_length=200, required=False)


class EventCancelForm(VersionedForm):
    pass


class EventReportForm(VersionedForm):
    actual_audience = forms.IntegerField(label=_("实际受众人数"), min_value=0)
    audience_counted_by = forms.ChoiceField(label=_("计数方式"), choices=AudienceCount.choices,
                                            widget=forms.RadioSelect)
    report = forms.CharField(label=_("活动简报"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    photos = EventPhotosField(label=_("现场照片"), required=False,
                              widget=_MultipleFileInput(attrs={"accept": "image/*"}))


class EventFilterForm(Form):
    kind = forms.ChoiceField(label=_("类别"), required=False)
    place = forms.ChoiceField(label=_("地点"), required=False)
    month = forms.RegexField(label=_("月份"), regex=r"^\d{4}-\d{2}$", required=False,
                             widget=forms.DateInput(attrs={"type": "month"}),
                             error_messages={"invalid": _("月份格式应为 2026-10。")})

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部"))] + list(EventKind.choices)
        self.fields["place"].choices = [("", _("全部"))] + list(places)


# ---------------------------------------------------------------------------------------------- volunteer organisations


class VolunteerOrgForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False, validators=[phone_validator])
    description = forms.CharField(label=_("简介"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class VolunteerOrgCreateForm(KeyedForm, VolunteerOrgForm):
    pass


class VolunteerOrgEditForm(VersionedForm, VolunteerOrgForm):
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
