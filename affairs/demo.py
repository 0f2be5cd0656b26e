"""Demo service items (事项) of the demo district's first community, its street and the district, marked as demo
content (`is_demo`): typical community services with their materials. Small, deterministic and idempotent (an
item is looked up by place and name first); a hook of grids.demo."""

from __future__ import annotations

from grids.demo import Loader, on_district
from grids.models import Department, Place

from . import services
from .models import Mode, ServiceItem

_ID = {"name": "居民身份证", "description": "申请人本人身份证正反面照片", "example": "正反面各一张，四角完整、字迹清晰"}
_HUKOU = {"name": "户口簿", "description": "户主页及本人页", "example": "户主页、本人页各一张"}

# level of the offering place ("community", "street", "district"), name, applicants, conditions, handling unit
# ("place" = the offering place, or a department's short code), working days, mode, legal basis, materials
ITEMS = [
    ("community", "居住证明", "在本社区实际居住的居民", "在本社区连续居住，住址可核实", "place", 3, Mode.ONLINE,
     "《居住证暂行条例》", [_ID, {"name": "居住材料", "description": "房产证、租房合同或单位住房证明之一",
                              "example": "租房合同首页及签字页"}]),
    ("community", "计划生育相关证明", "本社区户籍或常住育龄居民", "按证明事项如实申报", "place", 5, Mode.ONCE,
     "《中华人民共和国人口与计划生育法》", [_ID, _HUKOU,
                                     {"name": "结婚证", "description": "已婚者提供", "example": "", "required": False}]),
    ("street", "高龄津贴", "年满 80 周岁的本辖区户籍老年人", "户籍在本辖区，年满 80 周岁", "place", 15, Mode.ONCE,
     "《中华人民共和国老年人权益保障法》", [_ID, _HUKOU, {"name": "银行卡", "description": "本人社保卡或银行卡",
                                               "example": "卡号面照片"}]),
    ("street", "低保申请", "家庭人均收入低于当地低保标准的本辖区户籍家庭", "共同生活家庭成员人均收入低于当地标准，"
     "且财产状况符合规定", "place", 30, Mode.ONCE, "《社会救助暂行办法》",
     [_ID, _HUKOU, {"name": "家庭收入说明", "description": "共同生活家庭成员收入情况", "example": "按月列明各成员收入"},
      {"name": "家庭经济状况核对授权书", "description": "全体家庭成员签字", "example": "每位成年成员签名按印"}]),
    ("street", "残疾人两项补贴", "困难残疾人、重度残疾人", "持有第二代残疾人证", "place", 20, Mode.ONCE,
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
     [_ID, {"name": "残疾人证", "description": "第二代残疾人证", "example": "证件信息页"}]),
    ("street", "就业失业登记", "法定劳动年龄内有劳动能力和就业要求的居民", "处于无业状态", "place", 5, Mode.ONLINE,
     "《就业服务与就业管理规定》", [_ID]),
    ("district", "老年优待证", "年满 60 周岁的本区户籍老年人", "年满 60 周岁", "minzheng", 10, Mode.ONCE,
     "《中华人民共和国老年人权益保障法》", [_ID, {"name": "一寸照片", "description": "近期免冠彩色照片",
                                               "example": "白底、正面"}]),
]


def load_service_items(*, actor, district: Place) -> int:
    community = Place.objects.filter(code__startswith=district.code, level="community").order_by("code").first()
    if community is None:
        return 0
    places = {"community": community, "street": community.parent, "district": district}
    departments = {d.short_code: d for d in Department.objects.filter(district=district)}
    created = 0
    for order, (level, name, applicants, conditions, unit, days, mode, basis, materials) in enumerate(ITEMS):
        place = places[level]
        if ServiceItem.objects.filter(place=place, name=name).exists():
            continue
        if unit != "place" and unit not in departments:
            continue
        handling = {"unit_place": place} if unit == "place" else {"department": departments[unit]}
        services.service_item_create(
            actor=actor, place=place, name=name, applicants=applicants, conditions=conditions, time_limit=days,
            mode=mode, legal_basis=basis, is_demo=True, sort_order=order, materials=materials, **handling)
        created += 1
    return created


@on_district
def demo_service_items(loader: Loader, district: Place) -> None:
    """The demo district's service items, once its places and departments stand (a hook of grids.demo)."""
    loader.created += load_service_items(actor=loader.admin, district=district)
