"""Admin of the case loop: categories and the holiday calendar are configured here; cases and their events are
read here (every step goes through the case page or the API, which call the services)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wudu.admin_base import ScopedAdmin, fields_of

from . import holidays, services
from .models import Case, CaseCategory, CaseEvent, Holiday


@admin.register(CaseCategory)
class CaseCategoryAdmin(ScopedAdmin):
    list_display = ("name", "code", "department", "time_limit", "limit_unit", "public", "active")
    list_filter = ("limit_unit", "public", "active")
    fields = ("district", "code", "name", "description", "department", "time_limit", "limit_unit",
              "finding_category", "public", "active", "sort_order")
    list_select_related = ("department",)

    def get_readonly_fields(self, request, obj=None):
        return ("district", "code") if obj else ()

    def create(self, request, data):
        return services.case_category_create(actor=request.user, **fields_of(
            data, "district", "code", *services.CATEGORY_FIELDS))

    def update(self, request, obj, data):
        return services.case_category_update(actor=request.user, category=obj,
                                             **fields_of(data, *services.CATEGORY_FIELDS))


class EventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "actor_role", "department", "deadline", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    """Read-only: the loop's steps are taken on the case page or through the API."""

    list_display = ("reference", "category", "status", "alert", "grid", "department", "created_at", "deadline")
    list_filter = ("status", "alert", "source", "kind", "supervised")
    search_fields = ("reference",)
    list_select_related = ("category", "grid", "department")
    show_full_result_count = False
    inlines = [EventInline]
    exclude = ("tracking_token",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """Single days (a local closure, a correction) are edited here; a whole year's official arrangement is entered
    on its own page (录入放假安排), which replaces that year's provisional days and recounts open deadlines."""

    list_display = ("date", "is_workday", "name", "provisional")
    list_filter = ("provisional", "is_workday")
    date_hierarchy = "date"
    change_list_template = "admin/cases/holiday/change_list.html"

    def _keeper(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and holidays.may_keep_calendar(user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self._keeper(request)

    def has_change_permission(self, request, obj=None):
        return self._keeper(request)

    def has_delete_permission(self, request, obj=None):
        return self._keeper(request)

    def save_model(self, request, obj, form, change):
        saved = services.holiday_save(actor=request.user, **fields_of(form.cleaned_data, "date", "is_workday", "name"))
        obj.pk = saved.pk

    class ArrangementForm(forms.Form):
        year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2024, max_value=2099)
        source = forms.CharField(label=gettext_lazy("来源"), max_length=100, required=False,
                                 help_text=gettext_lazy("例如：国务院办公厅关于2027年部分节假日安排的通知"))
        text = forms.CharField(
            label=gettext_lazy("放假安排"), widget=forms.Textarea(attrs={"rows": 14}),
            help_text=gettext_lazy("按通知每段一行：“2027-01-01~2027-01-03 休 元旦”，调休上班写“2027-02-14 班 春节调休”。"))

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["year"].initial = timezone.localdate().year + 1

    def get_urls(self):
        return [path("enter/", self.admin_site.admin_view(self.enter_view), name="cases_holiday_enter"),
                *super().get_urls()]

    def enter_view(self, request):
        if not self._keeper(request):
            raise PermissionDenied
        form = self.ArrangementForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            year = form.cleaned_data["year"]
            try:
                days = holidays.parse_arrangement(form.cleaned_data["text"], year)
                result = holidays.holiday_year_enter(actor=request.user, year=year, days=days,
                                                     source=form.cleaned_data["source"])
            except ValidationError as error:
                form.add_error("text", error)
            else:
                messages.success(request, _("%(year)d 年放假安排已录入（%(days)d 天）；%(recounted)d 件办理中事件的处置时限已按正式日历重算，"
                                            "%(kept)d 件已超期的保持原时限。") % {"year": year, **result})
                return redirect("admin:cases_holiday_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("录入年度放假安排")}
        return TemplateResponse(request, "admin/cases/holiday/enter.html", context)
