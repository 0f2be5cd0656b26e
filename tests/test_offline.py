"""The pages a phone keeps for when there is no signal (wudu/offline.py) and the static files' storage."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import override_settings
from django.urls import reverse

from grids.models import Role

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


def test_a_grid_worker_keeps_home_patrol_open_cases_and_ledger(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER), backend=BACKEND)
    response = client.get(reverse("offline_pages"))
    assert response.json() == {"pages": ["/home/", "/patrol/", "/ledger/", "/cases/?status=open"]}
    assert "no-store" in response["Cache-Control"]


def test_who_does_not_walk_a_grid_keeps_no_pages(client, cast):
    client.force_login(cast.user(Role.COMMAND_CENTER), backend=BACKEND)
    assert client.get(reverse("offline_pages")).json() == {"pages": []}


def test_the_list_of_pages_is_not_told_to_a_stranger(client):
    response = client.get(reverse("offline_pages"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_service_worker_covers_the_site_and_names_the_static_files(client):
    response = client.get(reverse("service_worker"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert reverse("service_worker") == "/sw.js"  # at the root: its scope is the whole site
    assert '"/static/css/app.css"' in body and f'"{reverse("login")}"' in body
    assert f'"{reverse("offline_pages")}"' in body


def test_signed_in_pages_register_it_and_load_no_bootstrap_script(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER), backend=BACKEND)
    html = client.get(reverse("patrol:home")).content.decode()
    assert 'data-sw-url="/sw.js"' in html
    assert "bootstrap.bundle" not in html
    client.logout()
    assert "data-sw-url" not in client.get(reverse("public:index")).content.decode()


@override_settings(STORAGES={
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "wudu.static.Storage"},
})
def test_names_stay_plain_until_static_files_are_collected(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path  # nothing collected there
    assert staticfiles_storage.url("css/app.css") == "/static/css/app.css"
    settings.PRODUCTION = True
    with pytest.raises(ValueError):
        staticfiles_storage.url("css/app.css")
