"""Demo case categories of the demo district: each with its department, time limit and the patrol finding it
takes over (idempotent: looked up by code first)."""

from __future__ import annotations

from grids.demo import Loader, on_district
from grids.models import Department, Place
from ledger.models import FindingCategory

from . import services
from .models import CaseCategory, LimitUnit

# code, name, department short code, limit, unit, finding category code, public
CATEGORIES = [
    ("shirong", "市容环境", "chengguan", 3, LimitUnit.WORKING_DAYS, "sanitation", True),
    ("weijian", "违章搭建", "chengguan", 10, LimitUnit.WORKING_DAYS, "illegal_building", True),
    ("zhandao", "占道经营", "chengguan", 2, LimitUnit.WORKING_DAYS, None, True),
    ("wuran", "环境污染", "huanbao", 48, LimitUnit.HOURS, "pollution", True),
    ("zaosheng", "噪声扰民", "huanbao", 3, LimitUnit.WORKING_DAYS, None, True),
    ("anquan", "安全隐患", "yingji", 24, LimitUnit.HOURS, "safety", True),
    ("fangwu", "房屋与物业", "zhujian", 5, LimitUnit.WORKING_DAYS, None, True),
    ("jiufen", "矛盾纠纷", "gongan", 5, LimitUnit.WORKING_DAYS, "dispute", True),
    ("minsheng", "民生救助", "minzheng", 5, LimitUnit.WORKING_DAYS, "livelihood", True),
    ("shipin", "食品安全", "shijian", 3, LimitUnit.WORKING_DAYS, None, True),
    ("daolu", "道路与停车", "jiaotong", 5, LimitUnit.WORKING_DAYS, None, True),
    ("xinfang", "信访事项", "xinfang", 15, LimitUnit.WORKING_DAYS, None, False),
    ("qita", "其他", None, 5, LimitUnit.WORKING_DAYS, "other", True),
]


def load_case_categories(*, actor, district: Place) -> int:
    departments = {d.short_code: d for d in Department.objects.filter(district=district)}
    findings = {f.code: f for f in FindingCategory.objects.all()}
    existing = set(CaseCategory.objects.filter(district=district).values_list("code", flat=True))
    created = 0
    for order, (code, name, department, limit, unit, finding, public) in enumerate(CATEGORIES):
        if code in existing:
            continue
        services.case_category_create(
            actor=actor, district=district, code=code, name=name, department=departments.get(department),
            time_limit=limit, limit_unit=unit, finding_category=findings.get(finding) if finding else None,
            public=public, sort_order=order,
        )
        created += 1
    return created


@on_district
def demo_case_categories(loader: Loader, district: Place) -> None:
    """The demo district's case categories, once its departments stand (a hook of grids.demo)."""
    loader.created += load_case_categories(actor=loader.admin, district=district)
