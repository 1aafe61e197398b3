"""Errors under `/api/` and `/q/` are JSON, with a status and a reason."""

from __future__ import annotations

import pytest

from startpunkt import runtime


@pytest.mark.parametrize("path", ["/api/nope", "/api", "/api/apps/a/b/c", "/q/nope", "/q"])
def test_unknown_paths_are_json_404s(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.content_type == "application/json"
    body = response.get_json()
    assert body["status"] == 404
    assert body["error"]


@pytest.mark.parametrize("path", ["/api/apps", "/api/bookmarks", "/q/health"])
def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(client, path):
    response = client.post(path, data="{}")

    assert response.status_code == 405
    assert response.content_type == "application/json"
    assert response.get_json()["status"] == 405
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("part", "method", "path"),
    [("catalog", "snapshot", "/api/apps"), ("broadcaster", "subscribe", "/api/updates/stream")],
)
def test_a_failing_view_is_a_json_500(reference_app, monkeypatch, part, method, path):
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError(f"{part} exploded")

    monkeypatch.setattr(getattr(runtime.get(reference_app), part), method, broken)
    monkeypatch.setattr(reference_app.logger, "disabled", True)  # the traceback is expected

    response = reference_app.test_client().get(path)

    assert response.status_code == 500
    assert response.content_type == "application/json"
    assert response.get_json()["status"] == 500
    assert f"{part} exploded" not in response.text


def test_a_bad_request_names_its_reason(client):
    response = client.get("/q/openapi?format=xml")

    assert response.status_code == 400
    assert response.content_type == "application/json"
    assert "format" in response.get_json()["error"]
