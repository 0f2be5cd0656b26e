"""An installation migrated before the ledger left grids migrates across the split with every row in place.

The database is taken back to the last migrations before the split (grids 0006, cases 0005, no ledger), rows are
written through the historical models of that state, and the database is migrated forward again: the new ledger
models find every row, a case still joins its visit, and the content types (with their permissions) follow.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_SPLIT = [("grids", "0006_photo_path_index_and_lengths"), ("cases", "0005_provisional_calendar_and_working_hours")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _old_rows(apps) -> dict:
    """One row of each kind, written the way the code before the split wrote them (its tables, its models)."""
    Place, User = apps.get_model("grids", "Place"), apps.get_model("grids", "User")
    city = Place.objects.create(code="4199", name="旧市", level="city", seq=1)
    district = Place.objects.create(code="419901", name="旧区", level="district", seq=1, parent=city)
    grid = Place.objects.create(code="419901001001001", name="旧网格", level="grid", seq=1, parent=district)
    worker = User.objects.create(username="old_worker", real_name="老网格员")
    tag = apps.get_model("grids", "HouseholdTag").objects.create(code="old_tag", name="旧标签")
    category = apps.get_model("grids", "FindingCategory").objects.create(code="old_finding", name="旧问题")
    household = apps.get_model("grids", "Household").objects.create(grid=grid, address="老街 1 号", head_name="王某")
    household.tags.add(tag)
    site = apps.get_model("grids", "Site").objects.create(grid=grid, kind="shop", name="老商铺")
    started = timezone.now() - datetime.timedelta(days=2)
    patrol = apps.get_model("grids", "Patrol").objects.create(
        client_id=uuid.uuid4(), worker=worker, grid=grid, started_at=started,
        ended_at=started + datetime.timedelta(hours=1), duration_seconds=3600)
    visit = apps.get_model("grids", "Visit").objects.create(
        client_id=uuid.uuid4(), patrol=patrol, grid=grid, worker=worker, visited_at=started, visit_type="household",
        household=household, category=category, finding="楼道堆物", settled=False)
    photo = apps.get_model("grids", "VisitPhoto").objects.create(
        visit=visit, image="visits/old/a.jpg", thumbnail="visits/old/a_t.jpg", sha256="a" * 64)
    check = apps.get_model("grids", "SpotCheck").objects.create(
        client_id=uuid.uuid4(), grid=grid, site=site, supervisor=worker, checked_on=started.date(),
        findings="台账不全", score=Decimal("82.5"))
    apps.get_model("grids", "SpotCheckPhoto").objects.create(
        spot_check=check, image="spot-checks/old/b.jpg", thumbnail="spot-checks/old/b_t.jpg", sha256="b" * 64)
    report = apps.get_model("grids", "DailyReport").objects.create(
        place=grid, date=started.date(), patrols=1, patrol_seconds=3600, visits=1, findings=1, short_grids=[])
    case_category = apps.get_model("cases", "CaseCategory").objects.create(
        district=district, code="old_case", name="旧类别", time_limit=3, finding_category=category)
    case = apps.get_model("cases", "Case").objects.create(
        reference="OLD-0001", tracking_token="t" * 43, source="patrol", category=case_category, grid=grid,
        description="楼道堆物", reporter=worker, visit=visit, created_at=started)
    visit_type = apps.get_model("contenttypes", "ContentType").objects.get(app_label="grids", model="visit")
    return {"household": household.pk, "tag": tag.pk, "category": category.pk, "site": site.pk, "patrol": patrol.pk,
            "visit": visit.pk, "photo": photo.pk, "check": check.pk, "report": report.pk, "case": case.pk,
            "visit_type": visit_type.pk}


@pytest.fixture
def back_to_the_split():
    """The database taken back to before the split; whatever happens in the test (a failure, pytest-timeout's
    interruption), it is migrated forward again after it, so that the tests after it on this worker find the schema
    whole (a half-migrated database failed them with missing columns)."""
    executor = _migrate(BEFORE_SPLIT + [("ledger", None)])
    try:
        yield executor
    finally:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.once  # taking the whole schema back and forward again costs minutes; once, on PostgreSQL (tests/run.sh)
@pytest.mark.timeout(1200)  # 2–4 minutes on a quiet machine; several times that on a loaded one
@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_split_are_found_by_the_ledger_after_it(back_to_the_split):
    from cases.models import Case
    from ledger.models import DailyReport, FindingCategory, Household, Patrol, Site, SpotCheck, Visit, VisitPhoto

    executor = back_to_the_split
    old = _old_rows(executor.loader.project_state(BEFORE_SPLIT).apps)

    _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    household = Household.objects.get(pk=old["household"])
    assert (household.address, household.grid.code, [t.code for t in household.tags.all()]) == (
        "老街 1 号", "419901001001001", ["old_tag"])
    assert Site.objects.get(pk=old["site"]).name == "老商铺"
    patrol = Patrol.objects.get(pk=old["patrol"])
    assert (patrol.worker.username, patrol.duration_seconds) == ("old_worker", 3600)
    visit = Visit.objects.select_related("category", "household").get(pk=old["visit"])
    assert (visit.patrol_id, visit.household.pk, visit.category.code, visit.finding, visit.is_open_finding) == (
        patrol.pk, household.pk, "old_finding", "楼道堆物", True)
    assert list(visit.photos.values_list("pk", "image")) == [(old["photo"], "visits/old/a.jpg")]
    assert VisitPhoto.objects.get(pk=old["photo"]).visit_id == visit.pk
    check = SpotCheck.objects.get(pk=old["check"])
    assert (check.score, check.site_id, [p.sha256 for p in check.photos.all()]) == (Decimal("82.5"), old["site"],
                                                                                      ["b" * 64])
    assert DailyReport.objects.get(pk=old["report"]).patrol_seconds == 3600
    # The cases still join the ledger's rows, both ways.
    case = Case.objects.select_related("visit", "category__finding_category").get(pk=old["case"])
    assert (case.visit.pk, case.category.finding_category.pk) == (visit.pk, old["category"])
    assert Visit.objects.get(pk=old["visit"]).case.reference == "OLD-0001"
    assert FindingCategory.objects.get(pk=old["category"]).case_categories.get().code == "old_case"
    # The content type kept its id (the admin's log and the permissions point at it) and now says ledger.
    visit_type = ContentType.objects.get_for_model(Visit)
    assert (visit_type.pk, visit_type.app_label) == (old["visit_type"], "ledger")
    assert Permission.objects.filter(content_type=visit_type, codename="view_visit").exists()
    assert not ContentType.objects.filter(app_label="grids", model__in=["visit", "household", "dailyreport"]).exists()
