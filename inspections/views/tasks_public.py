"""The affected resident's confirmation of a rectification (/zhenggai/<token>/), without an account.

The token in the link (sent to the resident's mobile) is their capability for this one answer: the page reads the
evidence request by token, shows the measure (redacted; no staff names), asks 已解决/未解决 and a comment, and
answers once (a second post shows the first answer). Posts are throttled per network and logged (masked)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wudu.net import client_ip
from wudu.redact import redact as redact_text

from ..forms.tasks import ConfirmForm
from ..models import EvidenceKind, TaskEvidence
from ..services import tasks as services


def _page(request, asked: TaskEvidence, form, *, message: str = "", status: int = 200):
    task = asked.task
    context = {"asked": asked, "form": form, "message": message, "measure": redact_text(task.measure),
               "place": task.finding.place.name, "category": task.finding.get_category_display()}
    response = render(request, "inspections/tasks/confirm.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    return response


# The page sends no referrer, so browsers post with "Origin: null", which Django's CSRF check refuses; nothing here
# rides on a cookie: the authority is the secret token in the path.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    asked = (TaskEvidence.objects.select_related("task__finding__place")
             .filter(kind=EvidenceKind.RESIDENT, token=token).first() if len(token) >= 20 else None)
    if asked is None:
        raise Http404
    if request.method == "GET" or asked.confirmed_at is not None:
        return _page(request, asked, None if asked.confirmed_at else ConfirmForm())
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _page(request, asked, form, status=400)
    try:
        asked = services.task_resident_confirm(token=token, resolved=form.cleaned_data["resolved"] == "yes",
                                               comment=form.cleaned_data["comment"], client_ip=client_ip(request))
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, asked, form, status=429 if error.code == "rate_limited" else 400)
    return _page(request, asked, None)
