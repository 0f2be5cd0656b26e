"""Chromium reads the Permissions-Policy as meant: the position, the camera and passkeys stay usable on the site's
pages, the rest is off, and the page shows no console error."""

import pytest

from tests.cast import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_allows_position_camera_and_passkeys_and_nothing_else(live_server, phone):
    build_cast()
    phone.goto(f"{live_server.url}/gongshi/")
    allowed = phone.evaluate("document.featurePolicy.allowedFeatures()")
    assert {"geolocation", "camera", "publickey-credentials-get"} <= set(allowed)
    for feature in ("microphone", "payment", "usb", "fullscreen", "display-capture", "autoplay"):
        assert not phone.evaluate(f"document.featurePolicy.allowsFeature('{feature}')"), feature
    assert phone.problems == []
