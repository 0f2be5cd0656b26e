"""Every list endpoint costs the same number of queries however many rows it returns.

Requests carry a real token (as API clients do), so the count includes authentication:
token + user (1), the requester's grants (1), the page (1), and for people their visible memberships (1).
"""

import datetime

import pytest
from django.urls import reverse

from grids import services
from grids.models import Role, User
from outreach import services as outreach_services
from outreach.models import PartyOrganization

MORE = 4


def more_places(cast):
    for n in range(MORE):
        services.place_create(actor=cast.admin, parent=cast.place("C2"), name=f"新网格{n}")


def more_people(cast):
    for n in range(MORE):
        services.person_appoint(
            actor=cast.admin, place=cast.place("G1"), role=Role.GRID_WORKER, username=f"extra{n}",
            real_name=f"新网格员{n}", mobile="13900000009",
        )
        # A second membership each, so the memberships of a person are more than one row.
        services.membership_create(
            actor=cast.admin, user=User.objects.get(username=f"extra{n}"), role=Role.GRID_HEAD,
            place=cast.place("G2"),
        )


def more_departments(cast):
    for n in range(MORE):
        services.department_create(actor=cast.admin, district=cast.place("D"), name=f"新部门{n}", short_code=f"d{n}")


def more_partners(cast):
    for n in range(MORE):
        services.partner_create(actor=cast.admin, grid=cast.place("G2"), kind="building_head", name=f"楼栋长{n}")


def more_party_organizations(cast):
    for n in range(MORE):
        grid = services.place_create(actor=cast.admin, parent=cast.place("C3"), name=f"新网格{n}")
        outreach_services.party_org_create(actor=cast.admin, place=grid, kind="group", name=f"新党小组{n}")


def more_party_members(cast):
    org = PartyOrganization.objects.get(place=cast.place("G3"))
    for n in range(MORE):
        outreach_services.party_member_register(
            actor=cast.admin, organization=org, name=f"新党员{n}", mobile=f"1370000010{n}",
            registered_on=datetime.date(2025, 1, 1),
        )


@pytest.mark.parametrize(
    "basename, grow, queries",
    [
        ("place", more_places, 3),
        ("person", more_people, 4),
        ("membership", more_people, 3),
        ("department", more_departments, 3),
        ("partner", more_partners, 3),
        ("party-organization", more_party_organizations, 3),
        ("party-member", more_party_members, 3),
    ],
)
def test_list_query_count_is_constant(cast, token_client, django_assert_num_queries, basename, grow, queries):
    client = token_client(Role.DISTRICT_OFFICIAL)
    url = reverse(f"api:{basename}-list")
    with django_assert_num_queries(queries):
        before = client.get(url)
    grow(cast)
    with django_assert_num_queries(queries):
        after = client.get(url)
    assert before.status_code == after.status_code == 200
    assert len(after.json()["results"]) >= len(before.json()["results"]) + MORE
