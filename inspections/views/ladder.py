"""Pages of the ladder (五书制): the documents a person's tasks were issued (filters: kind, unsigned), a document's
PDF, and the unit head's acknowledgement (签收). Every document is reached through its task's gate."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from wudu.pages import page_query
from wudu.redirects import safe_next

from ..ladder_pdf import notice_pdf
from ..models import Notice
from ..selectors import ladder as selectors
from ..services import ladder as services


class NoticeFilter(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("文书"), required=False,
                             choices=[("", gettext_lazy("全部文书")), *Notice._meta.get_field("kind").choices])
    unacknowledged = forms.BooleanField(label=gettext_lazy("只看待签收"), required=False)


@require_GET
@login_required
def notice_list(request):
    form = NoticeFilter(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    rows, next_cursor = selectors.notice_page(request.user, kind=data.get("kind", ""),
                                              unacknowledged=data.get("unacknowledged", False),
                                              after=request.GET.get("after", ""))
    head = selectors.HeadOf.of(request.user)
    return render(request, "inspections/ladder/list.html", {
        "form": form, "rows": [(n, head.may_acknowledge(n)) for n in rows], "next": next_cursor,
        "query": page_query(request)})


@require_GET
@login_required
def notice_download(request, pk: int):
    notice = selectors.access_notice(request.user, pk)
    response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.pdf"'
    return response


@require_POST
@login_required
def notice_acknowledge(request, pk: int):
    notice = selectors.access_notice(request.user, pk)
    try:
        services.acknowledge(request.user, notice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已签收%(kind)s %(number)s。") % {"kind": notice.get_kind_display(),
                                                                  "number": notice.number})
    return redirect(safe_next(request, "inspection_ladder:notices"))
