"""The operator's endpoints under `/q/`: health probes, Prometheus metrics, the OpenAPI document.

Paths and the health JSON follow Quarkus/SmallRye (`{"status": "UP", "checks": [...]}`, 503 when
DOWN), so probes and dashboards written for the reference keep working. Live is UP while the
process serves (answering is the proof). Ready: every enabled source has listed once, and not
all of them have been failing for longer than `health.outageGrace`; a source that fails after
listing keeps serving its last state and is shown degraded, with the time it started
(`readiness`). Started: each source has listed once.
"""

from __future__ import annotations

from typing import Any

import prometheus_client
from flask import Blueprint, Response, request
from werkzeug.exceptions import BadRequest

from startpunkt import runtime
from startpunkt.web import openapi, responses

bp = Blueprint("health", __name__)
responses.json_errors(bp, prefix="/q")


Check = dict[str, Any]


def _check(name: str, up: bool, data: dict[str, Any]) -> Check:
    return {"name": name, "status": "UP" if up else "DOWN", "data": data}


def live_checks() -> list[Check]:
    """Answering at all is the proof."""
    return [_check("startpunkt", True, {"version": runtime.get().version})]


def ready_checks() -> list[Check]:
    """The catalog's size, and one check per source with its state, objects and last error."""
    rt = runtime.get()
    snapshot = rt.catalog.snapshot()
    grace = rt.settings.health.outage_grace
    data: dict[str, Any] = {
        "applications": len(snapshot.applications),
        "bookmarks": len(snapshot.bookmarks),
        "version": snapshot.version,
    }
    degraded = sorted(name for name, s in rt.readiness.sources().items() if s.degraded)
    if degraded:
        data["degraded"] = degraded
    if rt.readiness.all_down_for(grace):
        data["reason"] = f"every source has been failing for more than {grace:g}s"
    checks = [_check("catalog", rt.readiness.ready(grace), data)]
    for name, status in sorted(rt.readiness.sources().items()):
        checks.append(_check(f"source {name}", status.ready, status.as_json()))
    return checks


def started_checks() -> list[Check]:
    """Every source has completed a first list (or knows its API is absent or forbidden)."""
    rt = runtime.get()
    states = {name: s.state for name, s in sorted(rt.readiness.sources().items())}
    return [_check("sources started", rt.readiness.started(), states)]


def _answer(checks: list[Check]) -> Response:
    up = all(c["status"] == "UP" for c in checks)
    response = responses.json_response(
        {"status": "UP" if up else "DOWN", "checks": checks}, status=200 if up else 503
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/q/health")
def health() -> Response:
    return _answer(live_checks() + ready_checks() + started_checks())


@bp.get("/q/health/live")
def live() -> Response:
    return _answer(live_checks())


@bp.get("/q/health/ready")
def ready() -> Response:
    return _answer(ready_checks())


@bp.get("/q/health/started")
def started() -> Response:
    return _answer(started_checks())


@bp.get("/q/metrics")
def metrics() -> Response:
    """Process-wide counters, then this app's gauges, in the Prometheus text format."""
    text = prometheus_client.generate_latest(prometheus_client.REGISTRY)
    text += prometheus_client.generate_latest(runtime.get().metrics)
    return Response(text, content_type=prometheus_client.CONTENT_TYPE_LATEST)


@bp.get("/q/openapi")
def openapi_document() -> Response:
    """YAML unless `?format=json` or an Accept header preferring JSON."""
    fmt = request.args.get("format")
    if fmt is None:
        accept = request.accept_mimetypes
        fmt = "json" if accept[responses.JSON] > accept[openapi.YAML] else "yaml"
    if fmt.lower() not in ("yaml", "json"):
        raise BadRequest("The format parameter must be 'yaml' or 'json'.")
    body, mimetype = openapi.render(fmt.lower(), runtime.get().version, request.script_root)
    return Response(body, mimetype=mimetype)
