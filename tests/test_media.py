"""Stored photos are served through the app after the scope gate said yes (wudu/media.py), in every mode.

A photo's address (`photo.image.url`, under MEDIA_URL) stays what it was; what changed is who gets the bytes:
the people who may read the visit, the case or the covert check it belongs to, and for a person's photo the
public notice (grid staff) or the person policy. Missing and forbidden both answer 404.
"""

import datetime
import importlib.util
import io
import re
import sys
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from cases import services as case_services
from cases.models import CasePhoto, LimitUnit, Source
from grids import services as grid_services
from grids.models import Role
from ledger import services as ledger
from ledger.models import FindingCategory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(color=(10, 120, 200)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), color).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _visit(cast, *, photos=1, grid="G1", worker=None):
    worker = worker or cast.user(Role.GRID_WORKER)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place(grid), client_id=uuid.uuid4())
    visit = ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                                category=FindingCategory.objects.filter(active=True).first(), finding="楼道堆物",
                                settled=False, photos=[_upload((i * 40, 100, 200)) for i in range(photos)])
    ledger.patrol_end(actor=worker, patrol=patrol)
    return visit


def _spot_check(cast):
    return ledger.spot_check_record(
        actor=cast.user(Role.COMMUNITY_OFFICIAL), grid=cast.place("G1"), client_id=uuid.uuid4(),
        checked_on=datetime.date.today(), findings="网格员不在岗", score=80, photos=[_upload()],
    )


def _category(cast):
    return case_services.case_category_create(
        actor=cast.user(Role.SYSTEM_ADMIN), district=cast.place("D"), code="shirong", name="市容环境",
        department=cast.departments["chengguan@D"], time_limit=3, limit_unit=LimitUnit.WORKING_DAYS,
        finding_category=FindingCategory.objects.filter(active=True).first())


def _case(cast, category=None):
    return case_services.case_create(
        actor=cast.user(Role.GRID_WORKER), source=Source.PATROL, grid=cast.place("G1"),
        category=category or _category(cast), description="井盖缺失", key=str(uuid.uuid4()), photos=[_upload()])


def _login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _worker_elsewhere(cast):
    """A grid worker of the sibling grid G1b (same community): not a reader of G1's ledger."""
    from grids.models import User

    return User.objects.get(username="worker_G1b")


# ---------------------------------------------------------------------------------------------- modes


def _urlconf_of_mode(mode: str, settings) -> str:
    """wudu/urls.py as it is built in a mode (it reads DEBUG and PRODUCTION at import time), under its own name."""
    name = f"tests._media_urls_{mode}"
    flags = {"development": (True, False), "test": (False, False), "production": (False, True)}[mode]
    settings.DEBUG, settings.PRODUCTION = flags
    spec = importlib.util.find_spec("wudu.urls")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module
    settings.DEBUG, settings.PRODUCTION = False, False
    settings.ROOT_URLCONF = name
    return name


@pytest.mark.parametrize("mode", ["development", "test", "production"])
def test_photos_are_gated_in_every_mode(client, cast, settings, mode):
    visit = _visit(cast)
    photo = visit.photos.get()
    _urlconf_of_mode(mode, settings)
    assert client.get(photo.image.url).status_code == 404
    assert client.get(photo.thumbnail.url).status_code == 404
    _login(client, cast.user(Role.GRID_WORKER))
    assert client.get(photo.image.url).status_code == 200


# ---------------------------------------------------------------------------------------------- who sees what


def test_anonymous_visitors_get_404_for_visit_case_and_spot_check_photos(client, cast):
    urls = [_visit(cast).photos.get().image.url, _case(cast).photos.get().image.url,
            _spot_check(cast).photos.get().image.url]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_the_grid_worker_sees_their_visit_photo(client, cast):
    photo = _visit(cast).photos.get()
    _login(client, cast.user(Role.GRID_WORKER))
    response = client.get(photo.image.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == photo.image.open("rb").read()


def test_a_worker_of_another_grid_gets_404_for_a_visit_photo(client, cast):
    photo = _visit(cast).photos.get()
    _login(client, _worker_elsewhere(cast))
    assert client.get(photo.image.url).status_code == 404
    assert client.get(photo.thumbnail.url).status_code == 404


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.GRID_HEAD, Role.INSTRUCTOR])
def test_the_inspected_grid_never_gets_a_spot_check_photo(client, cast, role):
    photo = _spot_check(cast).photos.get()
    _login(client, cast.user(role))
    assert client.get(photo.image.url).status_code == 404
    assert client.get(photo.thumbnail.url).status_code == 404


def test_a_grid_worker_who_is_also_an_official_above_never_gets_the_covert_photo_of_their_grid(client, cast):
    """Multi-role: the gate hides covert checks from anyone holding a grid role at the grid (wudu/scope.py), and
    the media view asks the gate."""
    worker = cast.user(Role.GRID_WORKER)
    grid_services.membership_create(actor=cast.admin, user=worker, role=Role.COMMUNITY_OFFICIAL,
                                    place=cast.place("C1"))
    photo = _spot_check(cast).photos.get()
    _login(client, worker)
    assert client.get(photo.image.url).status_code == 404
    assert client.get(photo.thumbnail.url).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMUNITY_OFFICIAL, Role.STREET_OFFICIAL, Role.DISTRICT_OFFICIAL,
                                  Role.COMMAND_CENTER])
def test_the_levels_above_get_the_spot_check_photo(client, cast, role):
    photo = _spot_check(cast).photos.get()
    _login(client, cast.user(role))
    assert client.get(photo.image.url).status_code == 200


def test_a_department_sees_the_photos_of_a_case_dispatched_to_it_and_only_those(client, cast):
    from cases.models import Case

    category = _category(cast)
    visit = _visit(cast)
    case = case_services.case_from_visit(actor=cast.user(Role.GRID_WORKER), visit=visit, key=str(uuid.uuid4()))
    center = cast.user(Role.COMMAND_CENTER)
    for action in ("accept", "dispatch"):
        case = Case.objects.get(pk=case.pk)
        case_services.case_act(actor=center, case=case, action=action, version=case.version, key=str(uuid.uuid4()))
    other = _case(cast, category)  # not dispatched: the department does not read it
    copied = CasePhoto.objects.get(case=case)  # the visit's file, now also the case's
    assert copied.image.name == visit.photos.get().image.name
    _login(client, cast.user(Role.DEPARTMENT_STAFF))
    assert client.get(copied.image.url).status_code == 200
    assert client.get(other.photos.get().image.url).status_code == 404


def test_grid_staff_photos_are_public_as_on_the_public_notice(client, cast):
    worker = cast.user(Role.GRID_WORKER)
    grid_services.person_update_profile(actor=worker, person=worker, photo=_upload())
    worker.refresh_from_db()
    page = client.get(reverse("public:grid", args=[cast.place("G1").code])).content.decode()
    assert worker.photo.url in page
    assert client.get(worker.photo.url).status_code == 200


def test_a_photo_of_someone_not_on_the_public_notice_follows_the_person_policy(client, cast):
    official = cast.user(Role.STREET_OFFICIAL)
    grid_services.person_update_profile(actor=official, person=official, photo=_upload())
    official.refresh_from_db()
    url = official.photo.url
    assert client.get(url).status_code == 404
    assert _login(client, official).get(url).status_code == 200  # their own, on their profile page
    assert _login(client, cast.user(Role.DISTRICT_OFFICIAL)).get(url).status_code == 200
    assert _login(client, cast.user(Role.GRID_WORKER)).get(url).status_code == 404


def test_a_file_without_an_owner_is_not_served(client, cast, media):
    (media / "stray.jpg").write_bytes(b"\xff\xd8\xff")
    _login(client, cast.admin)
    assert client.get("/media/stray.jpg").status_code == 404
    assert client.get("/media/nothing/here.jpg").status_code == 404


@pytest.mark.parametrize("path", ["/media/../wudu/settings.py", "/media/%2e%2e/wudu/settings.py",
                                  "/media/visits/../../wudu/settings.py", "/media//etc/passwd",
                                  "/media/./stray.jpg", "/media/visits\\..\\stray.jpg"])
def test_path_traversal_is_refused(client, cast, media, path):
    (media / "stray.jpg").write_bytes(b"\xff\xd8\xff")
    _login(client, cast.admin)
    assert client.get(path).status_code == 404


# ---------------------------------------------------------------------------------------------- the answer


def test_a_photo_is_answered_private_and_not_sniffed(client, cast):
    photo = _visit(cast).photos.get()
    response = _login(client, cast.user(Role.GRID_WORKER)).get(photo.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_photo_the_browser_already_has_is_not_sent_again(client, cast):
    photo = _visit(cast).photos.get()
    _login(client, cast.user(Role.GRID_WORKER))
    first = client.get(photo.image.url)
    again = client.get(photo.image.url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304 and "private" in again["Cache-Control"]
    # the gate comes before the cache check: a stranger learns nothing from a 304
    stranger = _login(client, _worker_elsewhere(cast)).get(photo.image.url,
                                                            HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert stranger.status_code == 404


@override_settings(MEDIA_ACCEL_REDIRECT="/_protected_media/", PRODUCTION=True)
def test_behind_the_proxy_the_app_answers_with_x_accel_redirect_and_no_body(client, cast):
    photo = _visit(cast).photos.get()
    response = _login(client, cast.user(Role.GRID_WORKER)).get(photo.image.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected_media/" + photo.image.name
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg" and "private" in response["Cache-Control"]
    # the gate still comes first: a stranger gets no redirect to follow
    response = _login(client, _worker_elsewhere(cast)).get(photo.image.url)
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_the_case_page_thumbnails_and_photos_load_for_its_reader(client, cast):
    case = _case(cast)
    for role in (Role.GRID_WORKER, Role.COMMAND_CENTER):
        _login(client, cast.user(role))
        page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
        urls = re.findall(r'(?:src|href)="(/media/[^"]+)"', page)
        assert len(urls) == 2, urls  # the photo and its thumbnail
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("photos", [1, 5])
def test_serving_a_photo_costs_the_same_queries_whatever_the_volume(client, cast, photos,
                                                                   django_assert_num_queries):
    for _ in range(photos):
        _visit(cast, photos=photos)
    photo = _visit(cast, photos=photos).photos.first()
    _login(client, cast.user(Role.COMMAND_CENTER))
    with django_assert_num_queries(4):  # session, user, grants, the owner behind the gate
        assert client.get(photo.image.url).status_code == 200
    client.logout()
    with django_assert_num_queries(1):  # the public notice only (anonymous: no session, no grants)
        assert client.get(photo.image.url).status_code == 404



# ---------------------------------------------------------------------------------------------- the proxy


def _location(conf: str, prefix: str) -> str:
    match = re.search(r"location " + re.escape(prefix) + r" \{(.*?)\n    \}", conf, re.S)
    assert match, f"deploy/nginx.conf has no location {prefix}"
    return match.group(1)


def test_the_proxy_sends_photos_to_the_app_and_only_serves_them_when_the_app_says_so(settings):
    from pathlib import Path

    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    assert "alias" not in _location(conf, "/media/") and "proxy_pass" in _location(conf, "/media/")
    protected = _location(conf, "/_protected_media/")
    assert "internal;" in protected and "alias /srv/wudu/media/;" in protected
    limit = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1)) * 1024 * 1024
    assert limit == getattr(settings, "REQUEST_MAX_BODY_BYTES", 30 * 1024 * 1024)


def test_the_proxy_configuration_is_accepted_by_nginx(settings, tmp_path):
    """`make setup` installs nginx (nginx-light, not started); the paths are moved under tmp_path."""
    import shutil
    import subprocess
    from pathlib import Path

    nginx = shutil.which("nginx") or (Path("/usr/sbin/nginx").exists() and "/usr/sbin/nginx")
    assert nginx, "nginx is not installed: run `make setup` (it installs nginx-light)"
    conf = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    conf = (conf.replace("/etc/nginx/tls/wangge.example.cn.crt", str(tmp_path / "cert.pem"))
            .replace("/etc/nginx/tls/wangge.example.cn.key", str(tmp_path / "key.pem")))
    (tmp_path / "site.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; client_body_temp_path {tmp_path}/body; "
        f"proxy_temp_path {tmp_path}/proxy; access_log off; include {tmp_path}/site.conf; }}\n")
    result = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
