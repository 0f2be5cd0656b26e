"""The headers an assessor reads off every answer: Permissions-Policy, no-store on what is personal, no banner."""

import io

import pytest
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from knox.models import AuthToken

from grids.models import Role
from wudu.middleware import SecurityHeadersMiddleware

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def policy(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


# ---------------------------------------------------------------------------------------------- Permissions-Policy


def test_every_page_allows_only_position_camera_and_passkeys_to_the_site_itself(client, cast):
    for response in (client.get(reverse("public:index")), login(client, cast.user(Role.GRID_WORKER)).get("/patrol/")):
        assert response.status_code == 200
        features = policy(response)
        assert features["geolocation"] == "(self)"  # the patrol route, a case's place, the public map
        assert features["camera"] == "(self)"  # the patrol page's photo input
        assert features["publickey-credentials-get"] == "(self)"  # passkey sign-in
        for feature in ("microphone", "payment", "usb", "display-capture", "fullscreen", "autoplay", "midi"):
            assert features[feature] == "()", feature
        assert {feature for feature, allowed in features.items() if allowed != "()"} == {
            "geolocation", "camera", "publickey-credentials-get", "publickey-credentials-create"}


def test_the_policy_also_covers_errors_and_the_api(client):
    assert "geolocation=(self)" in client.get("/no-such-page/")["Permissions-Policy"]
    assert "microphone=()" in client.get("/api/v1/places/")["Permissions-Policy"]


# ---------------------------------------------------------------------------------------------- Cache-Control


def test_pages_for_a_signed_in_user_are_never_stored(client, cast):
    login(client, cast.user(Role.COMMUNITY_OFFICIAL))
    for url in (reverse("home"), reverse("profile"), reverse("ledger:list"), reverse("cases:list")):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "Expires" not in response or "no-store" in response["Cache-Control"]


def test_an_export_is_never_stored(client, cast, export_get):
    response = export_get(login(client, cast.user(Role.COMMUNITY_OFFICIAL)), reverse("ledger:xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"


def test_a_download_is_never_stored_whoever_asks():
    request = RequestFactory().get("/anything.xlsx")
    response = SecurityHeadersMiddleware(lambda r: FileResponse(io.BytesIO(b"x"), as_attachment=True,
                                                                filename="rows.xlsx"))(request)
    assert response["Cache-Control"] == "private, no-store"


def test_api_answers_to_a_token_are_never_stored(client, cast):
    _token, key = AuthToken.objects.create(user=cast.user(Role.COMMUNITY_OFFICIAL))
    response = client.get("/api/v1/places/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_photo_for_its_reader_is_not_kept_on_a_shared_phone(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = RequestFactory().get("/media/visits/a.jpg")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "x"
    request.user = cast.user(Role.GRID_WORKER)

    def photo(_request):
        response = HttpResponse(b"\xff\xd8\xff", content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"  # what wudu/media.py says
        return response

    assert SecurityHeadersMiddleware(photo)(request)["Cache-Control"] == "private, no-store"


def test_public_pages_for_visitors_stay_cacheable(client, cast):
    index = client.get(reverse("public:index"))
    assert "no-store" not in index.get("Cache-Control", "")
    geojson = client.get(reverse("public:map"))
    assert geojson["Cache-Control"] in ("public, max-age=300", "max-age=300, public")


def test_what_a_view_declared_public_stays_public_for_a_signed_in_user(client, cast):
    login(client, cast.user(Role.COMMUNITY_OFFICIAL))
    response = client.get(reverse("public:qr", args=[cast.place("G1").code]))
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


def test_a_visitor_with_an_anonymous_session_is_not_treated_as_signed_in(client, cast, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    assert "no-store" not in client.get(reverse("public:index")).get("Cache-Control", "")


def test_static_files_stay_cacheable(client, settings):
    from django.test import override_settings

    with override_settings(WHITENOISE_AUTOREFRESH=True, WHITENOISE_USE_FINDERS=True):
        # WhiteNoise reads its settings when the handler is built: a fresh client builds it again
        from django.test import Client

        response = Client().get("/static/vendor/bootstrap/bootstrap.min.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
