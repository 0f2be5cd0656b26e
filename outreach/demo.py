"""The demo district's party organisations: one per grid with its registered members (grids.demo runs this hook
for each grid as it is built, after its outpost partners, drawing names from the loader's seeded generator)."""

from __future__ import annotations

import datetime

from grids.demo import Loader, on_grid
from grids.models import Place

from . import services
from .models import OrganizationKind, PartyOrganization


@on_grid
def party(loader: Loader, grid: Place) -> None:
    if PartyOrganization.objects.filter(grid=grid).exists():
        return
    kind = OrganizationKind.BRANCH if int(grid.code[-1]) % 3 == 0 else OrganizationKind.GROUP
    label = "党支部" if kind == OrganizationKind.BRANCH else "党小组"
    org = services.party_org_create(
        actor=loader.admin, grid=grid, kind=kind, name=f"{grid.parent.name}{grid.name}{label}", secretary=loader.name()
    )
    loader.created += 1
    for _ in range(loader.rng.randint(3, 9)):
        loader.created += 1
        services.party_member_register(
            actor=loader.admin, organization=org, name=loader.name(), mobile=loader.mobile(),
            registered_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=loader.rng.randint(0, 2400)),
        )
