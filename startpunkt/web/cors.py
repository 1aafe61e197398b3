"""CORS for the JSON API and the stream: off unless `web.cors.allowedOrigins` names origins.

Browsers on other origins (another dashboard, a reference UI served elsewhere) may then read
`/api/*` and follow `/api/updates/stream`; every other origin gets no CORS headers, so the
browser keeps refusing it. Read-only: only GET, HEAD and the preflight OPTIONS are offered.
"""

from __future__ import annotations

from flask import Flask, Response, request

from startpunkt import runtime

ALLOWED_HEADERS = "Last-Event-ID, If-None-Match, Cache-Control, Content-Type"
"""What a resuming EventSource or a revalidating poller sends."""
EXPOSED_HEADERS = "ETag"
MAX_AGE = "600"
"""Seconds a browser may cache a preflight answer."""


def init_app(app: Flask) -> None:
    app.after_request(add_headers)


def add_headers(response: Response) -> Response:
    """Allow the request's origin on `/api/` paths when it is listed; vary on it either way."""
    allowed = runtime.get().settings.web.cors.allowed_origins
    if not allowed or not request.path.startswith("/api/"):
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin is None or (origin not in allowed and "*" not in allowed):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    return response
