"""The findings pages (/xuncha/findings/, 问题清单): the list (filters, keyset pages), one finding with its evidence,
tasks and recurrences, and the forms to record (phone-first), edit, dismiss and add evidence. Each view parses,
calls one service or selector, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import CaseCategory
from grids.models import Place
from wudu import scope
from wudu.errors import Conflict
from wudu.pages import page_query

from ..forms import findings as forms
from ..models import Team
from ..selectors import findings as selectors
from ..services import findings as services

CONFLICT = _("该问题已被他人修改，请刷新页面后重试。")


def _require_reader(user) -> None:
    if not scope.reads(user, "finding"):
        raise PermissionDenied


def _case_categories(user):
    return CaseCategory.objects.visible_to(user).order_by("name")


@login_required
def finding_list(request):
    _require_reader(request.user)
    form = forms.FindingFilterForm(request.GET, rounds=selectors.round_choices(request.user),
                                   places=selectors.place_choices(request.user))
    rows, next_cursor, valid = [], "", form.is_valid()
    if valid:
        data = form.cleaned_data
        f = selectors.FindingFilter(round_id=data["round"], category=data["category"], status=data["status"],
                                    severity=data["severity"], place_code=data["place"])
        rows, next_cursor = selectors.findings_page(request.user, f, request.GET.get("after", ""))
    return render(request, "inspections/findings/list.html", {
        "form": form, "rows": rows, "next": next_cursor, "query": page_query(request),
        "may_record": scope.has_role(request.user, scope.Role.INSPECTOR, scope.Role.INSPECTION_OFFICE)
        or request.user.is_superuser,
    }, status=200 if valid else 400)


@login_required
@require_http_methods(["GET", "POST"])
def finding_record(request):
    user = request.user
    places = selectors.recording_choices(user)
    if not places:
        raise PermissionDenied(_("您当前没有可记录问题的巡察范围。"))
    form = forms.FindingRecordForm(request.POST or None, request.FILES or None, places=places,
                                   case_categories=_case_categories(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team_id, code = data.pop("where")
        team = Team.objects.select_related("round").get(pk=team_id)
        place = Place.objects.get(code=code)
        try:
            finding = services.finding_record(actor=user, round=team.round, place=place, team=team,
                                              idempotency_key=data.pop("idempotency_key"), **data)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("您无权在此记录问题。"))
        except ValidationError as error:
            form.add_service_error(error, aliases={"place": "where", "team": "where"})
        else:
            messages.success(request, _("问题已记录。"))
            return redirect("inspection_findings:detail", pk=finding.pk)
    return render(request, "inspections/findings/form.html", {"form": form, "title": _("记录问题"), "multipart": True},
                  status=400 if form.errors else 200)


@login_required
def finding_detail(request, pk: int):
    finding = selectors.access_finding(request.user, pk)
    may_edit = services.may_edit(request.user, finding)
    return render(request, "inspections/findings/detail.html", {
        "finding": finding, "may_edit": may_edit, "may_dismiss": services.may_dismiss(request.user, finding),
        "may_add_evidence": may_edit or services.acting_grant(request.user, finding) is not None
        and finding.status != "dismissed",
        "dismiss_form": forms.FindingDismissForm(initial={"version": finding.version}),
        "evidence_form": forms.FindingEvidenceForm(),
    })


def _changeable(request, pk: int):
    finding = selectors.access_finding(request.user, pk)
    if services.acting_grant(request.user, finding) is None:
        raise PermissionDenied
    return finding


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request, pk: int):
    finding = _changeable(request, pk)
    initial = {name: getattr(finding, name) for name in services.EDITABLE_FIELDS}
    form = forms.FindingEditForm(request.POST or None, initial={**initial, "version": finding.version},
                                 case_categories=_case_categories(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.finding_update(actor=request.user, finding=finding, expected_version=data.pop("version"), **data)
        except Conflict:
            form.add_error(None, CONFLICT)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("问题已修改。"))
            return redirect("inspection_findings:detail", pk=finding.pk)
    return render(request, "inspections/findings/form.html", {"form": form, "finding": finding,
                                                              "title": _("修改问题")},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def finding_dismiss(request, pk: int):
    finding = _changeable(request, pk)
    form = forms.FindingDismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写不予认定的理由。"))
        return redirect("inspection_findings:detail", pk=finding.pk)
    try:
        services.finding_dismiss(actor=request.user, finding=finding, reason=form.cleaned_data["reason"],
                                 expected_version=form.cleaned_data["version"])
    except Conflict:
        messages.error(request, CONFLICT)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已不予认定。"))
    return redirect("inspection_findings:detail", pk=finding.pk)


@login_required
@require_POST
def finding_evidence(request, pk: int):
    finding = _changeable(request, pk)
    form = forms.FindingEvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect("inspection_findings:detail", pk=finding.pk)
    try:
        stored = services.finding_evidence_add(actor=request.user, finding=finding, files=form.cleaned_data["files"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已上传 %(n)d 份佐证材料。") % {"n": stored})
    return redirect("inspection_findings:detail", pk=finding.pk)
