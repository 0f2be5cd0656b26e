"""Redirect targets read from a request (`next`) stay on this site: a link cannot send a user elsewhere."""

import uuid

import pytest
from django.test import RequestFactory
from django.urls import reverse

from grids.models import Role
from ledger import services as ledger_services
from wudu.redirects import safe_next

FOREIGN = ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example/phish", "\\\\evil.example",
           "javascript:alert(1)", "JavaScript:alert(1)", " https://evil.example/", "http:///evil.example",
           "https:evil.example"]


@pytest.mark.parametrize("target", FOREIGN)
def test_a_foreign_next_falls_back_to_the_default(target):
    request = RequestFactory().post("/cases/from-visit/1/", {"next": target})
    assert safe_next(request, "ledger:list") == reverse("ledger:list")


def test_a_same_site_next_is_kept_with_its_query():
    request = RequestFactory().post("/x/", {"next": "/ledger/?place=411002&after=9"})
    assert safe_next(request, "ledger:list") == "/ledger/?place=411002&after=9"


def test_an_absolute_next_to_this_host_is_kept_but_not_http_from_https():
    plain = RequestFactory().post("/x/", {"next": "http://testserver/ledger/"})
    assert safe_next(plain, "ledger:list") == "http://testserver/ledger/"
    secure = RequestFactory().post("/x/", {"next": "http://testserver/ledger/"}, secure=True)
    assert safe_next(secure, "ledger:list") == reverse("ledger:list")


def test_next_is_read_from_the_query_string_of_a_get():
    request = RequestFactory().get("/x/", {"next": "https://evil.example/"})
    assert safe_next(request, "/") == "/"
    request = RequestFactory().get("/x/", {"next": "/cases/"})
    assert safe_next(request, "/") == "/cases/"


@pytest.fixture
def settled_visit(cast):
    """A visit with nothing open: escalating it is refused, so the view sends the user back to `next`."""
    worker = cast.user(Role.GRID_WORKER)
    patrol = ledger_services.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4())
    return ledger_services.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_case_from_visit_does_not_redirect_off_site(client, cast, settled_visit, target):
    client.force_login(cast.user(Role.GRID_WORKER))
    response = client.post(reverse("cases:from_visit", args=[settled_visit.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:list")


def test_case_from_visit_returns_to_the_ledger_page_it_came_from(client, cast, settled_visit):
    client.force_login(cast.user(Role.GRID_WORKER))
    back = reverse("ledger:list") + "?settled=no&after=12"
    response = client.post(reverse("cases:from_visit", args=[settled_visit.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_sign_in_and_language_switch_do_not_redirect_off_site(client, cast, target):
    """The two other places that read `next` (Django's own views): kept safe if they are ever replaced."""
    user = cast.user(Role.GRID_WORKER)
    user.set_password("pw-for-redirect-test")
    user.save()
    signed_in = client.post(reverse("login") + "?next=" + target,
                            {"username": user.username, "password": "pw-for-redirect-test", "next": target})
    assert signed_in.status_code == 302 and "evil.example" not in signed_in["Location"]
    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": target})
    assert switched.status_code == 302 and "evil.example" not in switched["Location"]
