"""The scope gate of the affairs resources: who reads, who changes, who sees the applicant's personal data."""

import pytest

from affairs import selectors, services
from affairs.models import Application, ServiceItem
from grids.models import Role
from ledger import services as ledger_services
from tests.affairs.conftest import files_for, key, submit
from wudu import scope

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_read_across_the_district_and_kept_at_the_place_and_below(cast, item):
    for role in (Role.GRID_WORKER, Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL, Role.DEPARTMENT_STAFF):
        assert ServiceItem.objects.visible_to(cast.user(role)).filter(pk=item.pk).exists(), role
    assert not ServiceItem.objects.visible_to(cast.user(Role.SECURITY_ADMIN)).exists()
    assert scope.can_change(cast.user(Role.COMMUNITY_OFFICIAL), item, "service_item")
    assert scope.can_change(cast.user(Role.STREET_OFFICIAL), item, "service_item")
    assert not scope.can_change(cast.user(Role.GRID_HEAD), item, "service_item")


def test_an_application_is_read_by_its_unit_and_above_not_by_grid_staff_or_other_departments(cast, item):
    application, _token = submit(item)
    readers = {role for role in (Role.GRID_WORKER, Role.GRID_HEAD, Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL,
                                 Role.DISTRICT_OFFICIAL, Role.COMMAND_CENTER, Role.DEPARTMENT_STAFF)
               if Application.objects.visible_to(cast.user(role)).filter(pk=application.pk).exists()}
    assert readers == {Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL, Role.DISTRICT_OFFICIAL, Role.COMMAND_CENTER}


def test_the_grid_worker_who_applied_on_behalf_reads_it(cast, item):
    worker = cast.user(Role.GRID_WORKER)
    household = ledger_services.household_create(actor=cast.admin, grid=cast.place("G1"), address="董庄路 2 号")
    application, _token = services.application_submit_for(
        actor=worker, item=item, household=household, applicant_name="李大爷", mobile="13900005555",
        files=files_for(item), key=key())
    assert list(Application.objects.visible_to(worker)) == [application]
    assert not Application.objects.visible_to(cast.user(Role.GRID_HEAD)).exists()
    assert selectors.sees_personal_data(worker, application)


def test_personal_data_only_for_the_handling_unit(cast, item):
    application, _token = submit(item)
    assert selectors.sees_personal_data(cast.user(Role.COMMUNITY_OFFICIAL), application)
    assert not selectors.sees_personal_data(cast.user(Role.STREET_OFFICIAL), application)
    assert not selectors.sees_personal_data(cast.user(Role.COMMAND_CENTER), application)


def test_a_department_reads_what_was_transferred_to_it(cast, item):
    application, _token = submit(item)
    official, staff = cast.user(Role.COMMUNITY_OFFICIAL), cast.user(Role.DEPARTMENT_STAFF)
    for action in ("receive", "accept"):
        services.application_act(actor=official, application=application, action=action,
                                 version=application.version)
    assert not Application.objects.visible_to(staff).exists()
    services.application_act(actor=official, application=application, action="transfer", version=application.version,
                             unit=cast.departments["chengguan@D"], note="部门职责")
    assert list(Application.objects.visible_to(staff)) == [application]
    assert selectors.sees_personal_data(staff, application)
    assert not Application.objects.visible_to(official).exists()  # the community no longer holds it
