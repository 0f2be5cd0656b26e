"""The ledger pages 《网格工作走访台账》: filter, read page by page, export to Excel and PDF."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import CODE_LENGTH, Level, Place, Role, User
from wudu import export_views, scope
from wudu.db import reading_replica, replica_reads
from wudu.forms import Form
from wudu.pages import page_query

from .. import exports as ledger_exports
from .. import selectors as ledger_selectors
from ..models import FindingCategory

MAX_RANGE_DAYS = 366


class LedgerFilterForm(Form):
    # By name (the unified code is the value): the user's places down to communities, and the grids of the chosen
    # community; a district's ~1,800 grids would make the list unusable.
    place = forms.ChoiceField(label=gettext_lazy("地点"), required=False, error_messages={
        "invalid_choice": gettext_lazy("地点不存在或无权访问。")})
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
        code = (self.data.get("place") or "").strip()
        self.place_names = _place_names(user, code)
        self.fields["place"].choices = [("", _("全部"))] + [
            (c, "\u3000" * _depth(level) + name) for c, (name, level) in self.place_names.items()]
        # The grid workers of the chosen community or grid that this user may see (the gate), by name. Above a
        # community the list would run to thousands (a district has ~1,800): pick a community first.
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
        where = self.place_names[d["place"]][0] if d["place"] else ""
        return _("%(where)s网格工作走访台账（%(start)s 至 %(end)s）") % {
            "where": where, "start": d["date_from"].isoformat(), "end": d["date_to"].isoformat()}


LIST_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def _depth(level: str) -> int:
    return {Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}.get(level, 0)


def _place_names(user, chosen: str) -> dict[str, tuple[str, str]]:
    """{code: (name, level)} of the places the filter offers, in code order (one query): those the user sees down
    to communities, and the grids of the chosen community (or of the chosen grid's community)."""
    community = chosen[:CODE_LENGTH[Level.COMMUNITY]] if len(chosen) >= CODE_LENGTH[Level.COMMUNITY] else None
    wanted = Q(level__in=LIST_LEVELS)
    if community:
        wanted |= Q(level=Level.GRID, code__startswith=community)
    rows = Place.objects.visible_to(user).filter(wanted).order_by("code").values_list("code", "name", "level")
    return {code: (name, level) for code, name, level in rows}


def _asked(request):
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
    return data


def _form(request):
    return LedgerFilterForm(_asked(request), user=request.user)


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


def _export(request, kind: str):
    try:
        with reading_replica():
            params, label = export_prepare(request.user, _asked(request), kind=kind)
    except ValidationError:
        form = _form(request)
        form.is_valid()
        return render(request, "ledger/list.html", {"form": form, "rows": [], "next": ""}, status=400)
    return export_views.start(request, kind=kind, params=params, label=label)


def export_prepare(user, data, *, kind: str) -> tuple[dict, str]:
    """A ledger export asked with the ledger's filter (the page's link, the API's `params`; registered with the
    kind): its job's parameters and label, or the form's errors (no dates: the last seven days)."""
    form = LedgerFilterForm(data, user=user)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    title = form.title()
    label = title + (" · Excel" if kind.endswith("xlsx") else " · PDF")
    return ledger_exports.job_params(form.ledger_filter(), title), label
