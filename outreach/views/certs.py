"""Pages of certificates: the staff's list, issue form, detail (download, revoke), and the public verification
page (/zhengshu/<token>/, no login, partial data only, every look logged, limited per address)."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import ALL, get_usage

from wudu.forms import KeyedForm, VersionedForm
from wudu.net import client_ip, ratelimit_key
from wudu.pages import page_query

from .. import selectors, services
from ..certs_pdf import certificate_pdf, verification_url
from ..models import Volunteer


class IssueForm(KeyedForm):
    organization = forms.ModelChoiceField(label=gettext_lazy("出具组织"), queryset=None)
    volunteer = forms.ModelChoiceField(label=gettext_lazy("志愿者"), queryset=Volunteer.objects.none())
    period_from = forms.DateField(label=gettext_lazy("服务期间自"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=gettext_lazy("服务期间至"), widget=forms.DateInput(attrs={"type": "date"}))
    content = forms.CharField(label=gettext_lazy("服务内容（可不填，按活动自动生成）"), required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = selectors.issuing_organizations(user)
        self.fields["organization"].queryset = organizations
        chosen = self.data.get("organization") or self.initial.get("organization")
        if chosen and str(chosen).isdigit():
            # the volunteers who served with the chosen organisation (its own records)
            self.fields["volunteer"].queryset = (Volunteer.objects.filter(
                service_records__organization__in=organizations.filter(pk=int(chosen))).distinct()
                .order_by("name", "id"))


class RevokeForm(VersionedForm):
    reason = forms.CharField(label=gettext_lazy("作废原因"), max_length=200)


@require_GET
@login_required
def certificate_list(request):
    rows, next_cursor = selectors.certificate_page(request.user, after=request.GET.get("after", ""))
    return render(request, "outreach/certs/list.html", {
        "rows": rows, "next": next_cursor, "query": page_query(request),
        "can_issue": selectors.issuing_organizations(request.user).exists()})


def _coverage(form):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    if data["period_to"] < data["period_from"]:
        return None
    return selectors.certificate_coverage(organization=data["organization"], volunteer=data["volunteer"],
                                          period_from=data["period_from"], period_to=data["period_to"])


@require_http_methods(["GET", "POST"])
@login_required
def certificate_issue(request):
    if request.method == "GET":
        today = timezone.localdate()
        initial = {"period_from": datetime.date(today.year, 1, 1), "period_to": today}
        bound = {k: request.GET[k] for k in ("organization", "volunteer", "period_from", "period_to")
                 if request.GET.get(k)}
        if "volunteer" in bound:
            form = IssueForm({**{k: str(v) for k, v in initial.items()}, **bound}, user=request.user)
            coverage = _coverage(form)
            form = IssueForm(initial={**initial, **bound}, user=request.user)
        else:
            form = IssueForm(initial={**initial, **bound}, user=request.user)
            coverage = None
        if not form.fields["organization"].queryset.exists():
            raise Http404
        return render(request, "outreach/certs/issue.html", {"form": form, "coverage": coverage})
    form = IssueForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            certificate = services.certificate_issue(
                actor=request.user, organization=data["organization"], volunteer=data["volunteer"],
                period_from=data["period_from"], period_to=data["period_to"], content=data["content"],
                idempotency_key=data["idempotency_key"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("证明 %(number)s 已出具。") % {"number": certificate.number})
            return redirect("outreach_certs:detail", pk=certificate.pk)
    return render(request, "outreach/certs/issue.html", {"form": form, "coverage": _coverage(form)}, status=400)


@require_GET
@login_required
def certificate_detail(request, pk: int):
    certificate = selectors.access_certificate(request.user, pk)
    records = certificate.records.select_related("event").order_by("checked_in_at", "created_at", "id")
    revoke = RevokeForm(initial={"version": certificate.version}) if certificate.is_valid else None
    return render(request, "outreach/certs/detail.html", {
        "c": certificate, "records": records, "revoke_form": revoke,
        "url": verification_url(request, certificate.token)})


@require_GET
@login_required
def certificate_download(request, pk: int):
    certificate = selectors.access_certificate(request.user, pk)
    pdf = certificate_pdf(certificate, url=verification_url(request, certificate.token))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


@require_POST
@login_required
def certificate_revoke(request, pk: int):
    certificate = selectors.access_certificate(request.user, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(actor=request.user, certificate=certificate, reason=form.cleaned_data["reason"],
                                        expected_version=form.cleaned_data["version"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("证明 %(number)s 已作废。") % {"number": certificate.number})
            return redirect("outreach_certs:detail", pk=certificate.pk)
    records = certificate.records.select_related("event").order_by("checked_in_at", "created_at", "id")
    return render(request, "outreach/certs/detail.html", {
        "c": certificate, "records": records, "revoke_form": form,
        "url": verification_url(request, certificate.token)}, status=400)


# ---------------------------------------------------------------------------------------------- public


def _too_many(request) -> bool:
    usage = get_usage(request, group="outreach.certificate_verify", key=ratelimit_key, method=ALL, increment=True,
                      rate=settings.CERTIFICATE_VERIFY_PER_IP)
    return usage is not None and usage["should_limit"]


@require_GET
@never_cache
def certificate_verify(request, token: str):
    if _too_many(request):
        return render(request, "outreach/certs/public_limited.html", status=429)
    try:
        certificate = selectors.public_certificate(token)
    except Http404:
        response = render(request, "outreach/certs/public_missing.html", status=404)
    else:
        services.certificate_verification_log(certificate=certificate, client_ip=client_ip(request),
                                              user_agent=request.META.get("HTTP_USER_AGENT", ""))
        response = render(request, "outreach/certs/public.html", {
            "c": certificate, "masked_name": selectors.mask_name(certificate.volunteer.name),
            "issued_on": timezone.localdate(certificate.issued_at)})
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
