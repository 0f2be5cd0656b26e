"""Forms of the rounds area: a round (create and edit), a team with its leader, members and places. They parse;
inspections.services.rounds decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wudu.forms import Form, KeyedForm, VersionedForm

_DATE = {"type": "date"}


def _date(label, *, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(format="%Y-%m-%d", attrs=_DATE))


class RoundFields(Form):
    name = forms.CharField(label=_("轮次名称"), max_length=100)
    starts_on = _date(_("进驻日期"))
    ends_on = _date(_("结束日期"))
    follow_up_until = _date(_("跟踪督办截止"), required=False,
                            help_text=_("巡察组成员的权限至此日结束；不填则为结束日期后整改期限的月数。"))
    feedback_on = _date(_("反馈日期"), required=False, help_text=_("向被巡察单位反馈问题的日期。"))
    rectification_months = forms.IntegerField(label=_("整改期限（月）"), min_value=1, max_value=24, initial=2)
    recheck_percent = forms.IntegerField(label=_("抽查比例（%）"), min_value=0, max_value=100, initial=10)


class RoundCreateForm(KeyedForm, RoundFields):
    district = forms.ChoiceField(label=_("所属区"))
    field_order = ["district", "name", "starts_on", "ends_on", "follow_up_until", "feedback_on",
                   "rectification_months", "recheck_percent"]

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [(place.code, place.name) for place in districts]
        if len(districts) == 1:
            self.fields["district"].initial = districts[0].code
            self.fields["district"].widget = forms.HiddenInput()


class RoundEditForm(VersionedForm, RoundFields):
    follow_up_until = _date(_("跟踪督办截止"), help_text=_("巡察组成员的权限至此日结束。"))


class TeamForm(Form):
    """A team: its name, leader, members and places. The person choices are the search's results plus whoever is
    already chosen (`people`); the places are the streets and communities of the round's district (`places`)."""

    name = forms.CharField(label=_("组名"), max_length=50)
    leader = forms.TypedChoiceField(label=_("组长"), coerce=int)
    members = forms.TypedMultipleChoiceField(label=_("组员"), coerce=int, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    places = forms.TypedMultipleChoiceField(label=_("巡察范围"), coerce=int, widget=forms.CheckboxSelectMultiple,
                                            error_messages={"required": _("请选择该组巡察的街道或社区。")})

    def __init__(self, *args, people=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(person.pk, _person_label(person)) for person in people]
        self.fields["leader"].choices = [("", _("请选择组长")), *choices]
        self.fields["members"].choices = choices
        self.fields["places"].choices = [(place.pk, _place_label(place)) for place in places]


class TeamCreateForm(KeyedForm, TeamForm):
    pass


def _person_label(person) -> str:
    return f"{person.display_name}（{person.username}）"


def _place_label(place) -> str:
    return f"{place.name}（{place.get_level_display()}）"


class PersonSearchForm(Form):
    q = forms.CharField(label=_("查找人员"), max_length=50, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("姓名、账号或手机号")}))


class ProgressPublishForm(VersionedForm):
    """公开整改进展 / 撤回公开: the button's `action` and the version of the round the office saw."""

    action = forms.ChoiceField(choices=[("publish", "publish"), ("withdraw", "withdraw")])


def team_typed(data) -> dict:
    """What was typed into the team form (name, leader, members, places, its key), as the initial values of the form
    shown again after a search: kept as typed, checked only when saved."""
    typed = {"name": data.get("name", ""), "leader": data.get("leader", ""),
             "members": data.getlist("members"), "places": data.getlist("places")}
    if data.get("idempotency_key"):
        typed["idempotency_key"] = data["idempotency_key"]
    return typed
