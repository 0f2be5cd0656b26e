"""Reads of the affairs app: the public catalogue (no gate: it is public), an application by its tracking token
(the token is the applicant's capability), and the staff's reads through the scope gate."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.db.models import F, Func, Prefetch, Subquery
from django.http import Http404
from django.utils import timezone

from grids.models import Place
from wudu import scope
from wudu.pages import keyset_page

from . import workflow
from .models import (
    FINISHED,
    Application,
    ApplicationStep,
    Certificate,
    MaterialRequirement,
    Rating,
    Rectification,
    ServiceItem,
    Status,
)
from .services import token_digest


def catalogue(place: Place):
    """The items offered to the residents of `place`: its own and those of the levels above it."""
    codes = [place.code[:n] for n in range(len(place.code), 0, -1)]
    return (ServiceItem.objects.offered().filter(place__code__in=codes)
            .select_related("place", "unit_place", "department").order_by("place__code", "sort_order", "id"))


def public_item(item_id: int) -> ServiceItem:
    item = (ServiceItem.objects.offered().select_related("place", "unit_place", "department")
            .prefetch_related("materials").filter(pk=item_id).first())
    if item is None:
        raise Http404
    return item


def application_for_token(token: str) -> Application:
    application = (Application.objects.filter(token_digest=token_digest(token))
                   .select_related("item", "unit_place", "department").first() if token else None)
    if application is None or not hmac.compare_digest(application.token_digest, token_digest(token)):
        raise Http404
    return application


@dataclass
class Tracking:
    application: Application
    steps: list
    missing: list  # the materials the last request named, while they are awaited
    certificate: Certificate | None = None
    rating: Rating | None = None
    rectification: Rectification | None = None


def tracking(token: str) -> Tracking:
    application = application_for_token(token)
    steps = list(application.steps.order_by("at", "id"))
    missing = []
    if application.status == Status.MATERIALS_REQUESTED:
        last = [s for s in steps if s.action == "request_materials"][-1]
        missing = list(MaterialRequirement.objects.filter(pk__in=last.materials))
    names = {r.pk: r.name for r in application.item.materials.all()}
    for step in steps:
        step.material_names = [names.get(int(i), "") for i in step.materials]
    return Tracking(application, steps, missing, **results(application))


def results(application: Application) -> dict:
    """The certificate, rating and rectification of an application (each or None)."""
    rating = Rating.objects.filter(application=application).select_related("rectification").first()
    return {"certificate": Certificate.objects.filter(application=application).first(), "rating": rating,
            "rectification": getattr(rating, "rectification", None) if rating else None}


DESK_TABS = ("open", "finished", "rectify")
DESK_PAGE_SIZE = 50


def queue(user, tab: str = "open"):
    """The applications the user reads through the gate, open or finished (decided or closed)."""
    found = Application.objects.visible_to(user).select_related("item", "unit_place", "department")
    if tab == "rectify":  # bad ratings awaiting the unit's answer
        return found.filter(rectification__isnull=False, rectification__answered_at__isnull=True)
    return found.filter(status__in=FINISHED) if tab == "finished" else found.exclude(status__in=FINISHED)


def desk_page(user, tab: str, after: str = "") -> tuple[list[Application], str]:
    """One page of the desk, newest first, and the cursor of the next (keyset: any page costs what the first does).
    Each row carries `overdue_rectifications`, the desk's badge, counted in the same query (an uncorrelated
    subquery, computed once)."""
    rows = queue(user, tab).select_related("rectification").annotate(overdue_rectifications=Subquery(
        _overdue(user).order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")))
    return keyset_page(rows, after, size=DESK_PAGE_SIZE)


def _overdue(user):
    return queue(user, "rectify").filter(rectification__due_at__lte=timezone.now())


def overdue_rectifications(user, rows: list | None = None) -> int:
    """How many bad ratings the user reads are past their answer's due time (now: computed when read, as the
    application's clock is); from a desk page's rows when it has any."""
    if rows:
        return rows[0].overdue_rectifications or 0
    return _overdue(user).count()


def public_certificate(code: str) -> Certificate:
    """A certificate by the code of its verification address (no gate: the code on the paper is the capability)."""
    found = Certificate.objects.filter(code=code).first() if code and len(code) <= 32 else None
    if found is None:
        raise Http404
    return found


def access_application(user, reference: str) -> Application:
    queryset = Application.objects.visible_to(user).select_related("item", "unit_place", "department", "household")
    found = queryset.filter(reference=reference).prefetch_related(
        Prefetch("steps", queryset=ApplicationStep.objects.order_by("at", "id"))).first()
    if found is None:
        raise scope.hidden_or_missing(Application.objects.all(), user, reference=reference)
    return found


def sees_personal_data(user, application: Application) -> bool:
    """The applicant's name and mobile: for the handling unit itself, and the grid worker who applied for them."""
    if application.on_behalf_of_id and application.on_behalf_of_id == getattr(user, "pk", None):
        return True
    return workflow.handler_grant(user, application) is not None
