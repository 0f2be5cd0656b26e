from django import forms
from django.utils.translation import gettext_lazy as _

from wudu.forms import Form
from wudu.signals import KINDS

from .selectors import event_tables


class _Search(Form):
    person = forms.CharField(label=_("人员账号"), max_length=150, required=False)
    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期（含）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AccessSearchForm(_Search):
    kind = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部"))] + [(k, k) for k in KINDS])
    target = forms.CharField(label=_("对象"), max_length=120, required=False,
                             help_text=_("如 ledger.Household:12"))


class RowSearchForm(_Search):
    table = forms.ChoiceField(label=_("数据表"), choices=())
    obj = forms.CharField(label=_("记录编号"), max_length=40, required=False)
    label = forms.ChoiceField(label=_("操作"), required=False, choices=[
        ("", _("全部")), ("insert", _("新增")), ("update", _("修改")), ("delete", _("删除"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [(label, label) for label in sorted(event_tables())]
