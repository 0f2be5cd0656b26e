import uuid

import pytest

from cases import services
from cases.models import LimitUnit
from ledger.models import FindingCategory


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def categories(cast):
    """Two categories of the cast's district: city appearance (城市管理, 3 working days, mapped from the ledger's
    environment finding) and pollution (生态环境, 48 hours)."""
    admin = cast.user("system_admin")
    district = cast.place("D")
    environment = FindingCategory.objects.filter(active=True).first()
    return {
        "city": services.case_category_create(
            actor=admin, district=district, code="shirong", name="市容环境", department=cast.departments["chengguan@D"],
            time_limit=3, limit_unit=LimitUnit.WORKING_DAYS, finding_category=environment),
        "pollution": services.case_category_create(
            actor=admin, district=district, code="wuran", name="环境污染",
            department=cast.departments["huanbao@D"],
            time_limit=48, limit_unit=LimitUnit.HOURS),
    }


@pytest.fixture
def other_department_staff(cast):
    """A department_staff member of the district's other department."""
    from grids import services as grid_services
    from tests.cast import PASSWORD

    return grid_services.person_appoint(
        actor=cast.user("security_admin"), place=cast.place("D"), role="department_staff", username="dept_other",
        real_name="生态环境乙", mobile="13900000003", password=PASSWORD, department=cast.departments["huanbao@D"],
    ).user
