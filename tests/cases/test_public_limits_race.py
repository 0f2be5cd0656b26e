"""Residents' limits under real parallel connections (PostgreSQL, issue 11 point 7): 20 parallel submissions from
one mobile are 5 cases, 40 from one network 20, through the service and through the HTTP views; a retried
submission still returns its first case, never a refusal."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from cases import services
from cases.models import Case, LimitUnit
from tests.cast import build_cast
from tests.test_concurrency import _race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]

MOBILE = "13812345678"


def key() -> str:
    return str(uuid.uuid4())


def _category():
    cast = build_cast()
    return services.case_category_create(
        actor=cast.user("system_admin"), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS)


def _submit(category, *, mobile=MOBILE, client_ip=None, key_=None):
    return services.case_submit_public(category=category, description="路灯不亮", resident_mobile=mobile,
                                       key=key_ or key(), lng=113.1, lat=34.7, client_ip=client_ip)


def _refused(results) -> list:
    errors = [value for kind, value in results if kind == "error"]
    for error in errors:
        assert isinstance(error, ValidationError) and error.code == "rate_limited", error
        assert "提交过于频繁" in error.messages[0]
    return errors


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submissions_from_one_mobile_make_exactly_five_cases(settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY, settings.CASE_PUBLIC_PER_IP_PER_HOUR = 5, 100
    category = _category()
    results = _race(lambda i: _submit(category, client_ip=f"10.0.0.{i}"), n=20)
    assert sum(kind == "ok" for kind, _ in results) == 5, results
    assert len(_refused(results)) == 15
    assert Case.objects.filter(resident_mobile=MOBILE).count() == 5


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_submissions_from_one_address_make_exactly_twenty_cases(settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY, settings.CASE_PUBLIC_PER_IP_PER_HOUR = 5, 20
    category = _category()
    results = _race(lambda i: _submit(category, mobile=f"1391234{i:04d}", client_ip="10.9.9.9"), n=40)
    assert sum(kind == "ok" for kind, _ in results) == 20, results
    assert len(_refused(results)) == 20
    assert Case.objects.filter(client_ip="10.9.9.9").count() == 20


@pytest.mark.django_db(transaction=True)
def test_a_refused_address_does_not_use_up_the_mobiles_day(settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY, settings.CASE_PUBLIC_PER_IP_PER_HOUR = 5, 2
    category = _category()
    results = _race(lambda i: _submit(category, client_ip="10.9.9.9"), n=6)
    assert sum(kind == "ok" for kind, _ in results) == 2
    # The four refused by the address's hour left the mobile's day alone: three more from elsewhere go through.
    assert [_submit(category, client_ip=f"10.1.1.{i}").pk is not None for i in range(3)] == [True] * 3
    with pytest.raises(ValidationError):
        _submit(category, client_ip="10.1.1.9")


@pytest.mark.django_db(transaction=True)
def test_a_retry_sent_many_times_at_once_returns_the_first_case_even_at_the_limit(settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY, settings.CASE_PUBLIC_PER_IP_PER_HOUR = 2, 100
    category = _category()
    _submit(category)
    retried = key()
    first = _submit(category, key_=retried)  # the mobile's last one today
    results = _race(lambda i: _submit(category, key_=retried), n=10)
    assert [kind for kind, _ in results] == ["ok"] * 10, results
    assert {value.pk for _, value in results} == {first.pk}
    assert Case.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_posts_of_the_resident_form_are_held_to_the_mobiles_limit(settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY, settings.CASE_PUBLIC_PER_IP_PER_HOUR = 5, 100
    category = _category()

    def post(i):
        data = {"mobile": MOBILE, "name": "", "category": category.pk, "description": "小区门口垃圾没人清运",
                "grid": "", "address": "", "key": key(), "website": "", "lng": "113.1", "lat": "34.7"}
        return Client(REMOTE_ADDR=f"10.0.1.{i}").post("/suqiu/", data).status_code

    results = _race(post, n=12)
    codes = sorted(value for _, value in results)
    assert codes == [302] * 5 + [429] * 7, results
    assert Case.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_parallel_open311_posts_from_one_address_are_held_to_its_limit(settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY, settings.CASE_PUBLIC_PER_IP_PER_HOUR = 5, 6
    _category()

    def post(i):
        body = {"service_code": "shirong", "lat": "34.7", "long": "113.1", "description": "井盖缺失",
                "phone": f"1371234{i:04d}"}
        response = Client(REMOTE_ADDR="10.8.8.8").post("/open311/v2/requests.json", body)
        return response.status_code, response.json()[0]

    results = _race(post, n=14)
    codes = sorted(value[0] for _, value in results)
    assert codes == [201] * 6 + [429] * 8, results
    refused = [body for _, (code, body) in results if code == 429]
    assert all(body["code"] == 429 and "提交过于频繁" in body["description"] for body in refused)
    assert Case.objects.count() == 6
