import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

RESOURCES = ["places", "people", "memberships", "departments", "partners", "party-organizations", "party-members"]
WRITABLE = [r for r in RESOURCES if r != "people"]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_endpoint_is_in_the_schema(schema):
    paths = schema["paths"]
    assert "/api/v1/auth/token/" in paths and "/api/v1/people/me/" in paths
    for resource in RESOURCES:
        assert set(paths[f"/api/v1/{resource}/"]) >= {"get"}
        assert set(paths[f"/api/v1/{resource}/{{id}}/"]) >= {"get"}
    for resource in WRITABLE:
        assert "post" in paths[f"/api/v1/{resource}/"]
        assert "patch" in paths[f"/api/v1/{resource}/{{id}}/"]
    assert "delete" in paths["/api/v1/memberships/{id}/"]
    assert "post" not in paths["/api/v1/people/"] and "patch" not in paths["/api/v1/people/{id}/"]


def test_schema_documents_inputs_headers_and_errors(schema):
    create = schema["paths"]["/api/v1/places/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PlaceCreateRequest")
    assert {"201", "400", "403"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    update = schema["paths"]["/api/v1/places/{id}/"]["patch"]
    assert {"200", "400", "403", "404", "409"} <= set(update["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in update["parameters"])
    listing = schema["paths"]["/api/v1/places/"]["get"]
    assert {"cursor", "level", "parent", "under", "name"} <= {p["name"] for p in listing["parameters"]}
    person = schema["components"]["schemas"]["Person"]["properties"]
    assert "password" not in person and "memberships" in person


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_schema_validates(tmp_path):
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yaml"))


@pytest.mark.django_db
def test_docs_are_served_without_cdn_or_inline_script(client):
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html and "cdn" not in html.lower()
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and reverse("api:schema") in script.content.decode()
    assert client.get(reverse("api:schema")).status_code == 200


@pytest.mark.django_db
def test_redoc_is_served_from_sidecar(client):
    page = client.get(reverse("api:redoc"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    assert reverse("api:schema") in html
    # Its search runs in a blob: worker, allowed on this page and nowhere else.
    assert "worker-src 'self' blob:" in page["Content-Security-Policy"]
    assert "worker-src" not in client.get(reverse("api:docs"))["Content-Security-Policy"]
