"""`/q/health*` in the SmallRye shape, 503 when DOWN, and `/q/metrics`."""

from __future__ import annotations

import prometheus_client
import pytest

from startpunkt import runtime


@pytest.fixture
def readiness(reference_app):
    return runtime.get(reference_app).readiness


def _checks(body: dict) -> dict[str, dict]:
    return {c["name"]: c for c in body["checks"]}


def test_without_sources_everything_is_up(client):
    for path in ("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content_type == "application/json"
        assert response.get_json()["status"] == "UP"


def test_ready_is_down_while_a_source_starts(client, readiness):
    readiness.register("kube:ingresses")

    response = client.get("/q/health/ready")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "DOWN"
    source = _checks(body)["source kube:ingresses"]
    assert source == {
        "name": "source kube:ingresses",
        "status": "DOWN",
        "data": {"state": "starting", "objects": 0},
    }
    assert client.get("/q/health/live").status_code == 200


def test_ready_is_up_once_every_source_synced(client, readiness):
    readiness.register("kube:ingresses")
    readiness.register("file:/manifests")
    readiness.report("kube:ingresses", "synced", objects=3)
    assert client.get("/q/health/ready").status_code == 503

    readiness.report("file:/manifests", "synced", objects=1)
    response = client.get("/q/health/ready")

    assert response.status_code == 200
    checks = _checks(response.get_json())
    assert checks["source kube:ingresses"]["data"] == {"state": "synced", "objects": 3}
    assert checks["catalog"]["data"]["applications"] == 3
    assert all(c["status"] == "UP" for c in checks.values())


def test_an_absent_api_does_not_hold_readiness(client, readiness):
    readiness.register("kube:virtualservices")
    readiness.report("kube:virtualservices", "absent")

    assert client.get("/q/health/ready").status_code == 200


def test_a_source_failing_before_it_listed_holds_readiness_and_shows_its_error(client, readiness):
    readiness.register("kube:ingresses")
    readiness.report("kube:ingresses", "error", error="connection refused")

    response = client.get("/q/health/ready")

    assert response.status_code == 503
    data = _checks(response.get_json())["source kube:ingresses"]["data"]
    assert data == {"state": "error", "objects": 0, "lastError": "connection refused"}


def test_a_source_failing_after_it_listed_is_degraded_not_down(client, readiness):
    """Finding 8 of issue 12: one kind's error used to take the whole pod out."""
    readiness.report("kube:ingresses", "synced", objects=2)
    readiness.report("kube:ingresses", "error", error="HTTP 429: too many requests")

    response = client.get("/q/health/ready")

    assert response.status_code == 200
    checks = _checks(response.get_json())
    data = checks["source kube:ingresses"]["data"]
    assert data.pop("degradedSince").endswith("Z")
    assert data == {
        "state": "error",
        "objects": 2,
        "degraded": True,
        "lastError": "HTTP 429: too many requests",
    }
    assert checks["catalog"]["data"]["degraded"] == ["kube:ingresses"]


def test_started_stays_up_after_a_first_sync(client, readiness):
    readiness.register("kube:ingresses")
    assert client.get("/q/health/started").status_code == 503

    readiness.report("kube:ingresses", "synced")
    readiness.report("kube:ingresses", "error", error="watch broke")
    response = client.get("/q/health/started")

    assert response.status_code == 200
    assert response.get_json()["checks"][0]["data"] == {"kube:ingresses": "error"}


def test_overall_health_is_down_when_any_part_is(client, readiness):
    readiness.register("kube:ingresses")

    response = client.get("/q/health")

    assert response.status_code == 503
    names = [c["name"] for c in response.get_json()["checks"]]
    assert names == ["startpunkt", "catalog", "source kube:ingresses", "sources started"]


def test_health_is_never_cached(client):
    assert client.get("/q/health/ready").headers["Cache-Control"] == "no-store"


def test_metrics_are_prometheus_text_with_the_catalog_gauges(client):
    response = client.get("/q/metrics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == prometheus_client.CONTENT_TYPE_LATEST
    text = response.text
    assert 'startpunkt_catalog_items{type="application"} 3.0' in text
    assert 'startpunkt_catalog_items{type="bookmark"} 0.0' in text
    assert "# TYPE startpunkt_objects_skipped_total counter" in text
