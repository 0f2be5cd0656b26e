"""A production server refuses the example file's SECRET_KEY and a database whose demo accounts keep the demo's
password: at `manage.py check` (and so runserver, migrate …) and when the WSGI application starts."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from grids.demo import DEMO_PASSWORD
from grids.models import User
from tests.test_settings import assert_refused, start
from wudu.checks import demo_accounts, example_secret_key, refuse_insecure_start

REPO = Path(__file__).resolve().parents[2]


def example_key() -> str:
    text = (REPO / "deploy" / "wudu.env.example").read_text()
    return re.search(r"^SECRET_KEY=(.*)$", text, re.M).group(1).strip()


def test_the_refused_placeholder_is_the_example_files():
    assert example_key() in django_settings.EXAMPLE_SECRET_KEYS


def test_settings_refuse_the_example_files_secret_key():
    assert_refused(start(SECRET_KEY=example_key()),
                   "SECRET_KEY must be set to a random value of 32+ characters in production.")


def test_the_check_refuses_the_example_key(settings):
    settings.PRODUCTION = True
    settings.SECRET_KEY = example_key()
    assert [error.id for error in example_secret_key()] == ["wudu.E101"]
    settings.SECRET_KEY = "x" * 50
    assert example_secret_key() == []


@pytest.fixture
def demo_admin(db):
    return User.objects.create_superuser(username="admin", password=DEMO_PASSWORD, real_name="系统管理员")


def test_a_production_server_on_a_demo_database_refuses_to_start(settings, demo_admin):
    settings.PRODUCTION = True
    errors = demo_accounts()
    assert [error.id for error in errors] == ["wudu.E102"] and "'admin'" in errors[0].msg
    with pytest.raises(SystemCheckError, match="wudu.E102"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured, match="wudu.E102"):
        refuse_insecure_start()  # what wudu/wsgi.py calls


def test_the_demo_departments_staff_are_demo_accounts_too(settings, db):
    settings.PRODUCTION = True
    User.objects.create_user(username="dept_chengguan", password=DEMO_PASSWORD)
    assert [error.id for error in demo_accounts()] == ["wudu.E102"]


def test_a_demo_username_with_its_own_password_is_fine(settings, demo_admin):
    settings.PRODUCTION = True
    demo_admin.set_password("Ni-de-mi-ma-zhi-you-ni-zhi-dao")
    demo_admin.save()
    assert demo_accounts() == []
    refuse_insecure_start()
    call_command("check")


def test_a_deactivated_demo_account_is_fine(settings, demo_admin):
    settings.PRODUCTION = True
    User.objects.filter(pk=demo_admin.pk).update(is_active=False)
    assert demo_accounts() == []


def test_development_and_test_servers_keep_their_demo(settings, demo_admin, django_assert_num_queries):
    settings.PRODUCTION = False
    with django_assert_num_queries(0):
        assert demo_accounts() == []


def test_the_check_asks_one_query(settings, demo_admin, django_assert_num_queries):
    settings.PRODUCTION = True
    with django_assert_num_queries(1):
        demo_accounts()


def test_the_wsgi_application_does_not_start_on_a_demo_database(settings, demo_admin):
    import importlib
    import sys

    settings.PRODUCTION = True
    sys.modules.pop("wudu.wsgi", None)
    with pytest.raises(ImproperlyConfigured, match="wudu.E102"):
        importlib.import_module("wudu.wsgi")
    sys.modules.pop("wudu.wsgi", None)
    settings.PRODUCTION = False
    assert importlib.import_module("wudu.wsgi").application is not None
