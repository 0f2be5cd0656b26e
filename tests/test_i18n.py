"""Languages: Simplified Chinese by default, English through the switch, and a complete English catalogue.

The browser's Accept-Language is ignored on purpose (wudu/middleware.py): only the language switch
(Django's set_language view, which sets the language cookie) turns the UI to English.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from grids import services
from grids.models import Department, Membership, OutpostPartner, Place, Role, User
from outreach.models import PartyMember, PartyOrganization

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME

# Chinese ideographs. Full-width punctuation is checked separately (see test_no_fullwidth_punctuation_…).
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
FULLWIDTH_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f]")


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_translations", ROOT / "scripts" / "check_translations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_translations", module)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """The .mo is a build product (git-ignored, `make messages`): compile it here when missing or stale."""
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail(f"{MO} is missing or older than {PO.name}, and msgfmt (gettext) is not installed to compile it")
    fd, tmp = tempfile.mkstemp(dir=MO.parent, suffix=".mo.tmp")
    os.close(fd)
    try:
        subprocess.run([msgfmt, "--check-format", "-o", tmp, str(PO)], check=True, capture_output=True)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the catalogue from a server running as another user
        os.replace(tmp, MO)  # atomic: parallel workers may race here harmlessly
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    # Django caches catalogues per process: forget them so that the fresh .mo is read.
    from asgiref.local import Local
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()


@pytest.fixture(autouse=True)
def default_language_around_each_test():
    """The test client leaves the last request's language active in this thread: do not leak English.

    (Without this, the next test's cast would be built with English role labels in its names and duties.)
    """
    translation.deactivate()
    yield
    translation.deactivate()


# ---------------------------------------------------------------------------------------------- catalogue


def test_english_catalogue_has_no_empty_fuzzy_or_broken_entries():
    entries = checker.parse_po(PO)
    assert len(entries) > 200  # the header plus the UI's strings: the parser read the whole file
    problems = [f"{kind}: {entry.where()} {entry.msgid!r}" for kind, entry in checker.problems(entries)]
    assert problems == []
    header = next(e for e in entries if e.is_header)
    assert "Language: en" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_reports_every_message_translated_and_no_format_errors():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    stats = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", stats), stats  # no "fuzzy" or "untranslated" counts


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_every_source_string_is_in_the_catalogue():
    """New _()/{% trans %} strings need `makemessages -l en` and a translation (see the README of locale/)."""
    missing = sorted(checker.source_msgids(ROOT) - checker.catalogue_msgids(checker.parse_po(PO)))
    assert missing == [], "run makemessages -l en and translate: " + ", ".join(repr(m) for m in missing)


# ---------------------------------------------------------------------------------------------- pages


def _data_strings() -> list[str]:
    """Names and free text users typed in: data, which stays Chinese whatever the UI language."""
    values: set[str] = set()
    values.update(Place.objects.values_list("name", flat=True))
    for user in User.objects.all():
        values.update({user.real_name, user.username, user.display_name})
    values.update(Membership.objects.values_list("duties", flat=True))
    for name, contact in OutpostPartner.objects.values_list("name", "contact_name"):
        values.update({name, contact})
    for name, secretary in PartyOrganization.objects.values_list("name", "secretary"):
        values.update({name, secretary})
    values.update(PartyMember.objects.values_list("name", flat=True))
    for name, duties in Department.objects.values_list("name", "duties"):
        values.update({name, duties})
    values.add("简体中文")  # the language switch names each language in its own script (# keep-chinese)
    return sorted((v for v in values if v), key=len, reverse=True)


AVATAR_INITIAL = re.compile(r'(<span class="avatar[^"]*" aria-hidden="true">)[^<]*(</span>)')


def _without_data(html: str) -> str:
    html = AVATAR_INITIAL.sub(r"\1\2", html)  # a person's initial stands in for a missing photo
    for value in _data_strings():
        html = html.replace(value, "")
    return html


def _leftover_chinese(html: str) -> list[str]:
    """Chinese left on a page once the data is taken out, with some context for the failure message."""
    text = _without_data(html)
    return [text[max(0, m.start() - 40): m.end() + 40] for m in IDEOGRAPH.finditer(text)]


def _switch_to_english(client, next_url="/"):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert client.cookies[LANGUAGE_COOKIE].value == "en"
    return response


def test_fresh_visitor_gets_chinese_even_when_the_browser_asks_for_english(client, cast):
    response = client.get(reverse("public:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert "网格公示" in page and "查找我的网格" in page
    assert "Public notice" not in page and "Find my grid" not in page


def test_the_language_switch_turns_the_public_notice_english(client, cast):
    response = _switch_to_english(client, reverse("public:index"))
    assert response["Location"] == reverse("public:index")
    page = client.get(reverse("public:index"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in page
    for english in ("Public notice", "Find my grid", "Choose a community", "Streets · communities · grids", "Log in"):
        assert english in page
    assert "网格公示" not in page
    assert _leftover_chinese(page) == []
    # Place names are data: they stay as they are.
    assert "董庄社区" in page and "第1网格" in page


def test_switching_back_to_chinese(client, cast):
    _switch_to_english(client)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("public:index")).content.decode()
    assert '<html lang="zh-hans">' in page and "网格公示" in page


@pytest.mark.parametrize(
    ("url_name", "key", "english"),
    [
        ("public:grid", "G1", ["Grid team (one head, two officers)", "Grid head", "Party-building instructor",
                               "Grid worker", "Grid party organisation", "Grid outposts", "Property company",
                               "Print notice board", "Duties"]),
        ("public:poster", "G1", ["Grid notice board", "notice board", "Scan to view the public notice",
                                 "Work phone", "Unified code"]),
    ],
)
def test_public_grid_pages_in_english(client, cast, url_name, key, english):
    _switch_to_english(client)
    response = client.get(reverse(url_name, args=[cast.place(key).code]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in english:
        assert text in page
    assert _leftover_chinese(page) == []


@pytest.mark.parametrize(
    ("role", "english"),
    [
        # A grid's terminal: its team, party organisation, outposts and buildings.
        (Role.GRID_WORKER, ["Workbench", "Log out", "Grid team (one head, two officers)", "Grid worker",
                            "Grid party organisation", "Party group", "1 registered party member",
                            "Grid outposts", "Property company", "Building/courtyard", "Staff roster"]),
        # A community's terminal: the table of its grids.
        (Role.COMMUNITY_OFFICIAL, ["Workbench", "Within this Community", "Registered party members", "Staff",
                                   "Party members", "Add subdivision"]),
    ],
)
def test_logged_in_terminal_in_english(client, cast, role, english):
    user = cast.user(role)
    client.force_login(user)
    _switch_to_english(client)
    response = client.get(reverse("home"), follow=True)
    own_place = Membership.objects.filter(user=user).select_related("place").first().place
    assert response.redirect_chain[-1][0] == reverse("terminal", args=[own_place.code])
    page = response.content.decode()
    assert '<html lang="en">' in page
    for text in english:
        assert text in page
    assert _leftover_chinese(page) == []
    assert user.display_name in page  # names are data: as typed in (here Chinese)


def test_manage_pages_in_english(client, cast):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    _switch_to_english(client)
    index = client.get(reverse("manage:index")).content.decode()
    assert "Only records at your level and below are shown." in index
    assert _leftover_chinese(index) == []
    listing = client.get(reverse("manage:list", args=["membership"])).content.decode()
    for text in ("Memberships", "Role", "Work phone", "Filter by place code", "Grid worker"):
        assert text in listing
    assert _leftover_chinese(listing) == []


def test_login_page_in_english(client, cast):
    _switch_to_english(client)
    page = client.get(reverse("login")).content.decode()
    for text in ("Log in to GridLink", "Username", "Password"):
        assert text in page
    assert _leftover_chinese(page) == []


def test_no_fullwidth_punctuation_in_english(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    _switch_to_english(client)
    pages = [
        client.get(reverse("home"), follow=True),
        client.get(reverse("public:grid", args=[cast.place("G1").code])),
        client.get(reverse("public:poster", args=[cast.place("G1").code])),
    ]
    leftovers = [m.group(0) for r in pages for m in FULLWIDTH_PUNCTUATION.finditer(_without_data(r.content.decode()))]
    assert leftovers == []


# ---------------------------------------------------------------------------------------------- services


def test_service_validation_messages_follow_the_active_language(cast):
    def boundary_error():
        with pytest.raises(ValidationError) as caught:
            services.place_create(actor=cast.admin, parent=cast.place("C1"), name="第9网格", boundary="{bad")
        return caught.value.messages

    with translation.override("en"):
        assert boundary_error() == ["The boundary is not valid GeoJSON: it cannot be parsed."]
    with translation.override("zh-hans"):
        assert boundary_error() == ["边界不是有效的 GeoJSON：无法解析。"]


def test_interpolated_labels_are_english_too(cast):
    """Role and level labels dropped into a message are translated along with it."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.person_appoint(
            actor=cast.admin, place=cast.place("C1"), role=Role.GRID_WORKER, username="i18n_worker",
            real_name="测试", mobile="13900000009",
        )
    assert caught.value.messages == ["The role Grid worker can only be held at Grid level."]
