"""The demo's service items: typical community services, marked as demo content, loaded once."""

import pytest

from affairs.demo import ITEMS, load_service_items
from affairs.models import ServiceItem
from grids.models import Department

pytestmark = pytest.mark.django_db


def test_the_demo_items_are_marked_and_loading_twice_adds_nothing(cast):
    Department.objects.get_or_create(district=cast.place("D"), short_code="minzheng", defaults={"name": "民政"})
    created = load_service_items(actor=cast.admin, district=cast.place("D"))
    assert created == len(ITEMS) == 7
    assert set(ServiceItem.objects.values_list("is_demo", flat=True)) == {True}
    names = set(ServiceItem.objects.values_list("name", flat=True))
    assert {"居住证明", "低保申请", "高龄津贴", "残疾人两项补贴", "就业失业登记", "计划生育相关证明", "老年优待证"} == names
    assert ServiceItem.objects.get(name="低保申请").place == cast.place("S1")
    assert load_service_items(actor=cast.admin, district=cast.place("D")) == 0
