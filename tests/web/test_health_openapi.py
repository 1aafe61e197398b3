"""`/q/openapi`: a valid OpenAPI 3.1 document describing every route the app serves."""

from __future__ import annotations

import json
import re

import pytest
import yaml

CATCH_ALLS = {"api.unknown", "health.unknown"}
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(data: bytes) -> dict:
    return yaml.load(data, Loader=LOADER)


def _served_paths(app) -> set[str]:
    """Every `/api` and `/q` route in OpenAPI's `{param}` spelling, aliases and catch-alls aside."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in CATCH_ALLS or not re.match(r"/(api|q)/", rule.rule):
            continue
        if rule.rule.endswith("/"):
            continue  # `/api/apps/`, the reference's spelling of `/api/apps`
        paths.add(re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule))
    return paths


def test_yaml_by_default_listing_every_served_path(client):
    response = client.get("/q/openapi")

    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    doc = _yaml(response.data)
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["version"] == "0.1.0"
    served = _served_paths(client.application)
    assert {"/api/apps", "/api/apps/{tags}", "/api/apps/{group}/{name}", "/q/health"} <= served
    assert served <= doc["paths"].keys()
    assert "/api/updates/stream" in doc["paths"]


def test_every_documented_path_is_served_or_the_stream(client):
    doc = _yaml(client.get("/q/openapi").data)

    assert doc["paths"].keys() - _served_paths(client.application) <= {"/api/updates/stream"}


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?format=json", {}), ("?format=JSON", {}), ("", {"Accept": "application/json"})],
)
def test_json_on_request(client, query, headers):
    response = client.get(f"/q/openapi{query}", headers=headers)

    assert response.mimetype == "application/json"
    assert (
        json.loads(response.data)["paths"].keys()
        == _yaml(client.get("/q/openapi").data)["paths"].keys()
    )


def test_a_browser_accept_header_gets_yaml(client):
    response = client.get("/q/openapi", headers={"Accept": "*/*"})

    assert response.mimetype == "application/yaml"


def test_the_document_is_valid_openapi(client):
    validator = pytest.importorskip("openapi_spec_validator")

    validator.validate(_yaml(client.get("/q/openapi").data))
