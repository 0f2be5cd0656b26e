"""The ledger pages 《网格工作走访台账》: filter, read page by page, export to Excel and PDF."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import CODE_LENGTH, Level, Place, Role, User
from wudu import export_views, scope
from wudu.db import replica_reads
from wudu.forms import Form
from wudu.pages import page_query

from .. import exports as ledger_exports
from .. import selectors as ledger_selectors
from ..models import FindingCategory

MAX_RANGE_DAYS = 366


class LedgerFilterForm(Form):
    place = forms.CharField(label=gettext_lazy("地点编号"), required=False)
    date_from = forms.DateField(label=gettext_lazy("开始日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    worker = forms.ModelChoiceField(label=gettext_lazy("网格员"), required=False, queryset=User.objects.none(),
                                    empty_label=gettext_lazy("全部"))
    category = forms.ChoiceField(label=gettext_lazy("发现问题"), required=False)
    settled = forms.ChoiceField(label=gettext_lazy("是否当场解决"), required=False, choices=[
        ("", gettext_lazy("全部")), ("yes", gettext_lazy("已解决")), ("no", gettext_lazy("未解决"))])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["category"].choices = [("", _("全部"))] + list(
            FindingCategory.objects.values_list("code", "name"))
        # The grid workers of the chosen community or grid that this user may see (the gate), by name. Above a
        # community the list would run to thousands (a district has ~1,800): pick a community first.
        code = (self.data.get("place") or "").strip()
        workers = User.objects.none()
        if len(code) >= CODE_LENGTH[Level.COMMUNITY]:
            workers = (
                User.objects.visible_to(user)
                .filter(memberships__role=Role.GRID_WORKER, memberships__place__code__startswith=code)
                .distinct().order_by("real_name")
            )
        self.fields["worker"].queryset = workers
        self.fields["worker"].help_text = "" if len(code) >= CODE_LENGTH[Level.COMMUNITY] \
            else _("选择社区或网格后可按网格员筛选。")
        self.fields["worker"].label_from_instance = lambda person: person.display_name

    def clean_place(self):
        code = self.cleaned_data["place"].strip()
        if code and not Place.objects.visible_to(self.user).filter(code=code).exists():
            raise forms.ValidationError(_("地点不存在或无权访问。"))
        return code

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - datetime.timedelta(days=6)
        if data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        if (data["date_to"] - data["date_from"]).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError(_("一次最多查询一年的台账。"))
        return data

    def ledger_filter(self) -> ledger_selectors.LedgerFilter:
        d = self.cleaned_data
        return ledger_selectors.LedgerFilter(
            place_code=d["place"], date_from=d["date_from"], date_to=d["date_to"],
            worker_id=d["worker"].pk if d.get("worker") else None,
            category_code=d.get("category") or "", settled={"yes": True, "no": False}.get(d.get("settled") or ""),
        )

    def title(self) -> str:
        d = self.cleaned_data
        where = Place.objects.filter(code=d["place"]).values_list("name", flat=True).first() if d["place"] else ""
        return _("%(where)s网格工作走访台账（%(start)s 至 %(end)s）") % {
            "where": where, "start": d["date_from"].isoformat(), "end": d["date_to"].isoformat()}


def _form(request):
    data = request.GET.copy()
    if not data.get("place"):
        grant = scope.home_grant(request.user)
        data["place"] = grant.code if grant else ""
    # Show the period actually used: the last seven days unless the user chose one.
    if not data.get("date_to"):
        data["date_to"] = timezone.localdate().isoformat()
    if not data.get("date_from"):
        try:
            end = datetime.date.fromisoformat(data["date_to"])
        except ValueError:
            end = timezone.localdate()  # the form reports the bad date
        data["date_from"] = (end - datetime.timedelta(days=6)).isoformat()
    return LedgerFilterForm(data, user=request.user)


@login_required
@replica_reads
def ledger(request):
    form = _form(request)
    if not form.is_valid():
        return render(request, "ledger/list.html", {"form": form, "rows": [], "next": ""}, status=400)
    rows, next_cursor = ledger_selectors.ledger_page(request.user, form.ledger_filter(), request.GET.get("after", ""))
    return render(request, "ledger/list.html", {
        "form": form, "rows": rows, "next": next_cursor, "query": page_query(request), "title": form.title(),
    })


@login_required
def ledger_xlsx(request):
    """The ledger as Excel: a task (wudu.exports); this answers with the job's page, or its file when ready."""
    return _export(request, "ledger.xlsx")


@login_required
def ledger_pdf(request):
    return _export(request, "ledger.pdf")


@replica_reads
def _validated(request):
    form = _form(request)
    return form, form.is_valid() and (form.ledger_filter(), form.title())


def _export(request, kind: str):
    form, valid = _validated(request)
    if not valid:
        return render(request, "ledger/list.html", {"form": form, "rows": [], "next": ""}, status=400)
    f, title = valid
    label = title + (" · Excel" if kind.endswith("xlsx") else " · PDF")
    return export_views.start(request, kind=kind, params=ledger_exports.job_params(f, title), label=label)
