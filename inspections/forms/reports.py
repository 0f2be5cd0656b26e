"""The reports area's forms: the re-check draw (it names the draw it makes, so a retry makes it once) and a
re-check's result."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wudu.forms import Form

from ..models import RecheckResult


class DrawForm(Form):
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    seed = forms.CharField(label=_("随机种子（可留空，由系统生成）"), max_length=40, required=False)


class RecordForm(Form):
    result = forms.ChoiceField(label=_("核查结果"), widget=forms.RadioSelect,
                               choices=[(RecheckResult.PASSED, RecheckResult.PASSED.label),
                                        (RecheckResult.FAILED, RecheckResult.FAILED.label)])
    note = forms.CharField(label=_("核查情况"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
