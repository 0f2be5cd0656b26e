"""The demo district's party organisations: one per grid with its registered members (grids.demo runs this hook
for each grid as it is built, after its outpost partners, drawing names from the loader's seeded generator). Some
members work elsewhere (在职党员, 双报到): their workplace's party organisation is set, without drawing from the
generator, so the rest of the demo stays the same. A year of branch meetings is history: `outreach.demo_history`
(`manage.py load_demo_party`), behind the server."""

from __future__ import annotations

import datetime

from grids.demo import Loader, on_grid
from grids.models import Place

from . import services
from .models import OrganizationKind, PartyOrganization

# The workplaces of the demo's in-service members (every third member, in turn).
WORKPLACES = ["区教育局机关党支部", "区人民医院党委第一支部", "许昌市供电公司魏都营业所党支部", "区城市管理局机关党支部",
              "魏都区实验小学党支部"]


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
    for n in range(loader.rng.randint(3, 9)):
        loader.created += 1
        workplace = WORKPLACES[(int(grid.code[-4:]) + n) % len(WORKPLACES)] if n % 3 == 1 else ""
        services.party_member_register(
            actor=loader.admin, organization=org, name=loader.name(), mobile=loader.mobile(),
            registered_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=loader.rng.randint(0, 2400)),
            workplace=workplace,
        )
