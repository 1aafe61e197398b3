"""JSON answers every blueprint shares: bodies, errors, and the catch-alls that keep them JSON.

Scripts and probes read `/api/` and `/q/` as JSON, errors included (`{"error": ..., "status":
...}`), so a blueprint serving such a prefix hands its errors, and every path below it that
nothing serves, to `json_errors` instead of Flask's HTML pages.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

JSON = "application/json"
ANY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE")


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(body: bytes | Any, *, status: int = 200, etag: str | None = None) -> Response:
    """A JSON answer that browsers revalidate before reuse."""
    data = body if isinstance(body, bytes) else dumps(body)
    response = Response(data, status=status, mimetype=JSON)
    response.headers["Cache-Control"] = "no-cache"
    if etag is not None:
        response.set_etag(etag)
    return response


def error_response(exc: HTTPException) -> Response:
    """`{"error": reason, "status": code}`, keeping the error's headers (Allow, Retry-After)."""
    code = exc.code or 500
    response = json_response({"error": exc.description or exc.name, "status": code}, status=code)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def not_found(path: str) -> Response:
    """`{"error": "not found", "path": path}`: the page's answer for a path another part owns."""
    return json_response({"error": "not found", "path": path}, status=404)


JSON_PREFIXES = ("/api/", "/q/")


def init_app(app: Flask) -> None:
    """Errors no view raised (a method nothing routes, like TRACE) answer JSON under the JSON
    prefixes too; elsewhere Flask's own page stands."""
    app.register_error_handler(HTTPException, _routing_error)


def _routing_error(exc: HTTPException) -> Response | HTTPException:
    path = request.path + "/"
    return error_response(exc) if path.startswith(JSON_PREFIXES) else exc


def json_errors(bp: Blueprint, *, prefix: str | None = None) -> None:
    """Answer errors of `bp`'s views as JSON; with `prefix`, also every path below it."""
    bp.register_error_handler(HTTPException, error_response)
    if prefix is not None:
        bp.add_url_rule(prefix, "unknown", _unknown, methods=ANY_METHOD)
        bp.add_url_rule(f"{prefix}/<path:rest>", "unknown", _unknown, methods=ANY_METHOD)


def _unknown(rest: str = "") -> NoReturn:
    """404 for a path nothing serves; 405 when a route serves it, but only for GET."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        rule, _ = adapter.match(method="GET", return_rule=True)
    except HTTPException:
        rule = None
    if rule is None or rule.endpoint == request.endpoint:
        raise NotFound(f"Nothing is served at {request.path}.")
    raise MethodNotAllowed(valid_methods=sorted(rule.methods or ()))
