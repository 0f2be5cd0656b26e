"""A request body over the cap is refused before it is read: anonymous uploads cannot fill the disk or the memory."""

import pytest
from django.test import RequestFactory

from wudu.middleware import RequestSizeLimitMiddleware


class Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize("path", ["/suqiu/", "/open311/v2/requests.json", "/api/v1/visits/"])
def test_a_body_over_the_cap_is_refused_unread(path, settings, client, db):
    settings.REQUEST_MAX_BODY_BYTES = 30 * 1024 * 1024
    response = client.generic("POST", path, b"", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(100 * 1024 * 1024), **{"wsgi.input": Unread()})
    assert response.status_code == 413
    assert "100 MB，最多 30 MB" in response.content.decode()


def test_a_body_under_the_cap_goes_through(settings):
    settings.REQUEST_MAX_BODY_BYTES = 1024
    request = RequestFactory().post("/suqiu/", {"description": "x" * 100})
    assert RequestSizeLimitMiddleware(lambda r: "passed")(request) == "passed"


def test_the_form_fields_of_a_request_are_capped_too(client, db):
    """Text fields alone (no file) are limited by Django to DATA_UPLOAD_MAX_MEMORY_SIZE: 400, not stored."""
    response = client.post("/open311/v2/requests.json", {"description": "长" * 1_000_000, "service_code": "x"})
    assert response.status_code == 400
