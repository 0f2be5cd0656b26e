"""The demo district loader (`manage.py load_demo`): what it builds, that it is idempotent, demo mode only.

The loader takes a while, so the district is built once for the module, inside a transaction that is rolled
back at the end; each test runs in its own savepoint within it. The module stays on one xdist worker.
"""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction

from grids.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, STREETS
from grids.models import Level, Membership, Place, Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

# Where each fixed demo account serves: role and the place names from the street down (district: empty).
EXPECTED_POSTS = {
    "admin": (Role.SYSTEM_ADMIN, ()),
    "anquan": (Role.SECURITY_ADMIN, ()),
    "shenji": (Role.AUDIT_ADMIN, ()),
    "qu": (Role.DISTRICT_OFFICIAL, ()),
    "xinxing": (Role.STREET_OFFICIAL, ("新兴街道",)),
    "dongzhuang": (Role.COMMUNITY_OFFICIAL, ("新兴街道", "董庄社区")),
    "wgz1": (Role.GRID_HEAD, ("新兴街道", "董庄社区", "第1网格")),
    "wgy1": (Role.GRID_WORKER, ("新兴街道", "董庄社区", "第1网格")),
    "wgy2": (Role.GRID_WORKER, ("丁庄街道", "丁庄社区", "第1网格")),
    "zhzx": (Role.COMMAND_CENTER, ()),
    "chengguan": (Role.DEPARTMENT_STAFF, ()),
    "xuncha": (Role.INSPECTION_OFFICE, ()),
    # Team members hold no membership (inspections.demo puts them on a team): no post.
    "xcz1": (Role.INSPECTOR, None),
    "xcz2": (Role.INSPECTOR, None),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo district, loaded once through the management command; the command's output."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("load_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


def path_of(place: Place) -> tuple[str, ...]:
    """Place names from the street down."""
    names = []
    while place.level not in (Level.DISTRICT, Level.CITY):
        names.append(place.name)
        place = place.parent
    return tuple(reversed(names))


def test_demo_builds_the_district_with_8_streets_and_45_communities(demo):
    district = Place.objects.get(level=Level.DISTRICT, name="魏都区")
    assert district.code == "411002"
    streets = Place.objects.filter(parent=district, level=Level.STREET)
    assert sorted(streets.values_list("name", flat=True)) == sorted(name for name, _ in STREETS)
    communities = Place.objects.filter(level=Level.COMMUNITY).under(district)
    assert streets.count() == 8 and communities.count() == 45
    for community in communities:
        grids = Place.objects.filter(parent=community, level=Level.GRID).count()
        assert 3 <= grids <= 8, community


def test_every_grid_has_its_head_instructor_and_worker(demo):
    grids = Place.objects.filter(level=Level.GRID)
    for role in (Role.GRID_HEAD, Role.INSTRUCTOR, Role.GRID_WORKER):
        staffed = Membership.objects.filter(role=role, place__level=Level.GRID).values("place").distinct().count()
        assert staffed == grids.count(), role


def test_the_nine_demo_accounts_take_the_demo_password_at_their_posts(demo):
    assert sorted(account.username for account in DEMO_ACCOUNTS) == sorted(EXPECTED_POSTS)
    for username, (role, path) in EXPECTED_POSTS.items():
        user = User.objects.get(username=username)
        assert user.is_active and user.check_password(DEMO_PASSWORD), username
        places = [m.place for m in Membership.objects.filter(user=user, role=role).select_related("place")]
        if path is None:
            assert not Membership.objects.filter(user=user).exists(), username
            continue
        assert [path_of(place) for place in places] == [path], username
    assert User.objects.get(username="admin").is_superuser
    assert f"password {DEMO_PASSWORD}" in demo


def test_loading_the_demo_again_creates_nothing(demo):
    before = row_counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "(0 records created this run)" in out.getvalue()
    assert row_counts() == before


def test_load_demo_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    before = row_counts()
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("load_demo", stdout=StringIO())
    assert row_counts() == before


def test_demo_brings_the_case_categories_and_leaves_the_cases_to_the_history(demo):
    from cases.demo import CATEGORIES
    from cases.models import Case, CaseCategory

    district = Place.objects.get(level=Level.DISTRICT, name="魏都区")
    assert CaseCategory.objects.filter(district=district).count() == len(CATEGORIES)
    assert not Case.objects.exists()  # `load_demo_history` adds them (tests/cases/test_demo_history.py)
