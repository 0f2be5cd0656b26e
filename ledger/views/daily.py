"""The daily report page (日报告): a place's day picked by date, its last two weeks, and the grids short of their
daily patrol minimum by name."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from grids.selectors import access_place
from wudu.db import replica_reads
from wudu.forms import Form

from .. import selectors


class DayForm(Form):
    date = forms.DateField(label=gettext_lazy("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("日报告只有今天及以前的日期。"))
        return day


@login_required
@require_GET
@replica_reads
def daily_report(request, code: str):
    place = access_place(request.user, code, polygons=False)
    form = DayForm(request.GET)
    day = form.cleaned_data.get("date") if form.is_valid() else None
    figures = selectors.report_day(request.user, place, day)
    return render(request, "ledger/daily.html", {
        "place": place, "form": form, "day": figures.report, "history": figures.history, "short": figures.short,
        "asked": day, "district_minimum": settings.MIN_DAILY_PATROL_MINUTES,
    }, status=200 if form.is_valid() else 400)
