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


def test_a_failing_view_is_a_json_500(reference_app, monkeypatch):
    def broken() -> None:
        raise RuntimeError("catalog exploded")

    monkeypatch.setattr(runtime.get(reference_app).catalog, "snapshot", broken)
    monkeypatch.setattr(reference_app.logger, "disabled", True)  # the traceback is expected

    response = reference_app.test_client().get("/api/apps")

    assert response.status_code == 500
    assert response.content_type == "application/json"
    assert response.get_json()["status"] == 500
    assert "catalog exploded" not in response.text


def test_a_bad_request_names_its_reason(client):
    response = client.get("/q/openapi?format=xml")

    assert response.status_code == 400
    assert response.content_type == "application/json"
    assert "format" in response.get_json()["error"]


def test_a_failing_stream_is_a_json_500(reference_app, monkeypatch):
    def broken(**_: object) -> None:
        raise RuntimeError("broadcaster exploded")

    monkeypatch.setattr(runtime.get(reference_app).broadcaster, "subscribe", broken)
    monkeypatch.setattr(reference_app.logger, "disabled", True)  # the traceback is expected

    response = reference_app.test_client().get("/api/updates/stream")

    assert response.status_code == 500
    assert response.content_type == "application/json"
    assert response.get_json()["status"] == 500
    assert "broadcaster exploded" not in response.text
