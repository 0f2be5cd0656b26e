"""Menus fit the role: every link of the menu and every button of the landing page that a role is shown answers
200 for that role (no 403, no list that is empty by design), for each role of the cast and for the people with
several roles. Generated over spec.ACTORS, as the scope matrix."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.scope import spec
from tests.scope.matrix import sign_in


class _Links(HTMLParser):
    """The hrefs of the <nav> and of the buttons (`a.btn`) inside <main>."""

    def __init__(self):
        super().__init__()
        self.where: list[str] = []
        self.nav: list[str] = []
        self.buttons: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("nav", "main"):
            self.where.append(tag)
        if tag != "a" or not attrs.get("href") or attrs["href"].startswith("#"):
            return
        if "nav" in self.where:
            self.nav.append(attrs["href"])
        elif "main" in self.where and re.search(r"\bbtn\b", attrs.get("class") or ""):
            self.buttons.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("nav", "main") and self.where and self.where[-1] == tag:
            self.where.pop()


def _links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def _landing(client):
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("actor", spec.ACTORS)
def test_every_link_shown_to_a_role_answers_200(world, client, actor):
    sign_in(client, world, actor)
    page = _links(_landing(client).content.decode())
    shown = sorted(set(page.nav + page.buttons))
    assert shown
    failed = {}
    for href in shown:
        status = client.get(href, follow=True).status_code
        if status != 200:
            failed[href] = status
    assert not failed, f"{actor} is shown links that do not answer 200: {failed}"


@pytest.mark.parametrize("actor", spec.ACTORS)
def test_management_offers_only_lists_the_role_keeps(world, client, actor):
    sign_in(client, world, actor)
    nav = _links(_landing(client).content.decode()).nav
    index = reverse("manage:index")
    if index not in nav:
        return
    lists = re.findall(r'href="(/manage/[a-z_]+/)"', client.get(index).content.decode())
    assert lists
    for href in lists:
        assert client.get(href, follow=True).status_code == 200, (actor, href)


ROLE_MENUS = {
    # role: (shown, not shown)
    "grid_worker": ({"ledger:list", "cases:list", "manage:index"}, {"api_docs", "lockouts", "audit:access"}),
    "department_staff": ({"cases:list", "notifications:list"}, {"ledger:list", "manage:index", "api_docs"}),
    "command_center": ({"ledger:list", "cases:list", "bulletins:list", "manage:index"}, {"api_docs", "audit:access"}),
    "system_admin": ({"manage:index", "api_docs"}, {"lockouts", "audit:access"}),
    "security_admin": ({"lockouts", "twofactor:reset"},
                       {"ledger:list", "cases:list", "bulletins:list", "notifications:list", "manage:index",
                        "audit:access", "api_docs"}),
    "audit_admin": ({"audit:access"},
                    {"ledger:list", "cases:list", "bulletins:list", "notifications:list", "manage:index",
                     "lockouts", "twofactor:reset", "api_docs"}),
    # a department's staff member who also walks a grid gets the grid's pages back
    "dept_worker": ({"ledger:list", "cases:list", "manage:index"}, {"api_docs", "lockouts"}),
}


def _url(name: str) -> str:
    return "/api/v1/docs/" if name == "api_docs" else reverse(name)


@pytest.mark.parametrize("actor", list(ROLE_MENUS))
def test_menu_shows_each_role_what_it_can_use(world, client, actor):
    sign_in(client, world, actor)
    nav = set(_links(_landing(client).content.decode()).nav)
    shown, hidden = ROLE_MENUS[actor]
    assert {name for name in shown if _url(name) not in nav} == set()
    assert {name for name in hidden if _url(name) in nav} == set()


def test_a_resident_is_offered_the_self_service_form(db, client):
    nav = _links(client.get(reverse("public:index")).content.decode()).nav
    assert reverse("cases_public:submit") in nav
    assert reverse("manage:index") not in nav


def test_outreach_pages_sit_in_one_party_building_group_of_the_bar(world, client):
    """A street official reads all five outreach pages: the bar shows one 党建 entry holding them (five entries of
    their own wrapped the desktop bar onto two lines), not five."""
    sign_in(client, world, "street_official")
    html = _landing(client).content.decode()
    group = re.search(r'<details><summary class="nav-link">党建</summary>(.*?)</details>', html, re.S)
    assert group is not None
    for name in ("outreach_events:list", "party_life:meetings", "outreach_lecturers:pool",
                 "outreach_hours:volunteers", "outreach_certs:list"):
        assert f'href="{reverse(name)}"' in group.group(1)
        assert html.count(f'href="{reverse(name)}"') == 1
