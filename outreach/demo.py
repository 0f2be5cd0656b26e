"""The demo district's party organisations: one per grid with its registered members (grids.demo runs this hook
for each grid as it is built, after its outpost partners, drawing names from the loader's seeded generator)."""

from __future__ import annotations

import datetime
import random

from django.db.models import Q
from django.utils import timezone

from grids import demo as grids_demo
from grids.demo import GIVEN, SURNAMES, Loader, on_grid
from grids.models import Place, User

from . import services
from .models import (
    Event,
    EventStatus,
    HoursKind,
    HoursStatus,
    OrganizationKind,
    PartyOrganization,
    ServiceRecord,
    VolunteerOrganization,
)


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


# ---------------------------------------------------------------------------------------------- volunteers (hours)

ENVIRONMENT_ORG = "魏都区环保志愿者协会"


def load_volunteer_history(*, stdout=None, seed: int = 16, now=None) -> dict:
    """The environmental organisation's 42 regular volunteers, their memberships, and their verified hours at the
    organisation's past lectures — through the services, as on the day: each volunteer checks in with the
    event's code at its venue and checks out, a few forget (closed at the end by the beat task's service, flagged),
    and the organisation's office countersigns.

    Runs after the events' history (which creates the organisation at the district and its lectures); without the
    organisation or its lectures it does nothing. Idempotent: a volunteer is found by mobile, a check-in by
    volunteer and event, a countersigned record stays countersigned.
    """
    org = (VolunteerOrganization.objects.filter(name=ENVIRONMENT_ORG).select_related("place")
           .order_by("place__code").first())
    if org is None:
        return {"volunteers": 0, "volunteer_check_ins": 0}
    admin = User.objects.get(username="admin")
    rng = random.Random(seed)
    communities = list(Place.objects.filter(code__startswith=org.place.code, level="community").order_by("code"))
    volunteers = []
    for index in range(42):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        home = communities[index % len(communities)] if communities else org.place
        volunteer = services.volunteer_register(
            actor=admin, home=home, name=name, mobile=f"1357716{index:04d}",
            registered_on=datetime.date(2017, 3, 1) + datetime.timedelta(days=rng.randint(0, 900)))
        services.volunteer_join(actor=admin, volunteer=volunteer, organization=org,
                                role="队长" if index == 0 else ("骨干" if index < 6 else ""),
                                joined_on=volunteer.registered_on)
        volunteers.append(volunteer)
    now = now or timezone.now()
    lectures = (Event.objects.filter(volunteer_organization=org, ends_at__lt=now,
                                     status__in=[EventStatus.PUBLISHED, EventStatus.HELD])
                .filter(Q(kind="lecture") | Q(counts_as_service=True)).order_by("starts_at"))
    created = 0
    for event in lectures:
        team = rng.sample(volunteers, k=min(len(volunteers), rng.randint(4, 10)))
        for volunteer in team:
            # Every draw is made whether or not the record exists: a second run draws the same teams.
            arrive = event.starts_at - datetime.timedelta(minutes=rng.randint(0, 25))
            leave = event.ends_at - datetime.timedelta(minutes=rng.randint(0, 20))
            forgets = rng.random() >= 0.92  # a few forget to check out
            point = {}
            if event.lng is not None and event.lat is not None:
                point = {"lng": event.lng + rng.uniform(-0.001, 0.001), "lat": event.lat + rng.uniform(-0.001, 0.001)}
            if ServiceRecord.objects.filter(volunteer=volunteer, event=event, kind=HoursKind.SERVICE).exists():
                continue
            services.volunteer_check_in(code=services.checkin_code(event, now=arrive), mobile=volunteer.mobile,
                                        device=services.device_hash(f"demo-phone-{volunteer.mobile}"), now=arrive,
                                        **point)
            created += 1
            if not forgets:
                services.volunteer_check_out(code=services.checkin_code(event, now=leave), mobile=volunteer.mobile,
                                             now=leave, **point)
    services.hours_close_forgotten(now=now)
    for record in ServiceRecord.objects.filter(organization=org, kind=HoursKind.SERVICE, status=HoursStatus.PENDING,
                                               checked_out_at__isnull=False, event__ends_at__lt=now
                                               - datetime.timedelta(days=2)).select_related("volunteer"):
        services.hours_countersign(actor=admin, record=record, now=record.checked_out_at
                                   + datetime.timedelta(hours=rng.randint(2, 30)))
    if stdout is not None:
        stdout.write(f"{ENVIRONMENT_ORG}: {len(volunteers)} volunteers, {created} check-ins added")
    return {"volunteers": len(volunteers), "volunteer_check_ins": created}


# Run by `manage.py load_demo_history` after the events' history (the events area's hook, grids.demo.on_history,
# registered above this line once merged: hooks run in the order they are registered).
_on_history = getattr(grids_demo, "on_history", None)
if _on_history is not None:
    _on_history(load_volunteer_history)
