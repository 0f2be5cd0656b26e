"""The cases app's family of the scope matrix: entering a case, per source, by every actor (people with several
roles included) at every grid, on every surface that enters one. Each entry is checked against the one grant
that allows that source at that grid, and the case's first event names that grant's role (spec.ENTRY)."""

from __future__ import annotations

import itertools
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import services
from cases.models import Case
from tests.cases.matrix import category_at as _category
from tests.scope import spec
from tests.scope.matrix import GRIDS_IN_ORDER, sign_in

SURFACES = ("service", "page", "api")


def _enter(surface, client, cast, source: str, grid) -> Case | None:
    category = _category(next(k for k, p in cast.places.items() if p.pk == grid.pk))
    before = set(Case.objects.values_list("pk", flat=True))
    if surface == "service":
        try:
            services.case_create(actor=client.actor, source=source, grid=grid, category=category,
                                 description="矩阵登记", key=uuid.uuid4())
        except PermissionDenied:
            pass
    elif surface == "page":
        response = client.post(reverse("cases:new"), {"key": str(uuid.uuid4()), "source": source, "grid": grid.pk,
                                                      "category": category.pk, "description": "矩阵登记"})
        assert response.status_code in (302, 400, 403), response.status_code
    else:
        response = client.post(reverse("api:case-list"), {"source": source, "grid": grid.code,
                                                          "category": category.pk, "description": "矩阵登记"},
                               content_type="application/json")
        assert response.status_code in (201, 400, 403), response.status_code
    made = Case.objects.exclude(pk__in=before)
    assert made.count() <= 1
    return made.first()


def _cases():
    for surface, actor, source, grid in itertools.product(SURFACES, spec.ACTORS, spec.ENTRY, GRIDS_IN_ORDER):
        yield pytest.param(surface, actor, source, grid, id=f"{surface}-{actor}-{source}-{grid}")


@pytest.mark.parametrize("surface, actor, source, anchor", list(_cases()))
def test_case_entry(world, db, client, surface, actor, source, anchor):  # noqa: F811 (the shared world)
    sign_in(client, world, actor)
    allowed = spec.entry_roles(actor, source, anchor)
    case = _enter(surface, client, world.cast, source, world.place(anchor))
    if not allowed:
        assert case is None, f"{actor} entered a {source} case at {anchor} via {surface}"
        return
    assert case is not None, f"{actor} could not enter a {source} case at {anchor} via {surface}"
    assert case.source == source
    assert case.events.get().actor_role in allowed
