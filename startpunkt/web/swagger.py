"""`/q/swagger-ui`: the OpenAPI document of `/q/openapi`, browsable, as the reference offers it.

Swagger UI comes from npm's `swagger-ui-dist` (installed with the icon sets, see `assets`), never
from a CDN; without it the page answers 404 saying how to install it. Its files are served
under their package version, so browsers cache them until an upgrade changes the URL.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory
from werkzeug.exceptions import NotFound

from startpunkt import bundled
from startpunkt.web import responses

bp = Blueprint("swagger", __name__)
responses.json_errors(bp)

PACKAGE = "swagger-ui-dist"
FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"})
"""The files the page loads; nothing else of the package is served."""
YEAR = 365 * 24 * 3600
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'self'"
)


def _installed() -> tuple[str, str]:
    """The package's directory and version, or 404 naming the setup step."""
    path = bundled.npm_package(PACKAGE)
    if path is None:
        raise NotFound(
            "Swagger UI is not installed: run `npm ci --omit=dev --ignore-scripts` beside the "
            "app (or see README.md); the OpenAPI document itself is at /q/openapi."
        )
    return str(path), bundled.npm_version(path)


@bp.get("/q/swagger-ui")
@bp.get("/q/swagger-ui/")
def index() -> Response:
    _, version = _installed()
    response = Response(render_template("swagger-ui.html", version=version))
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/q/swagger-ui/<version>/<name>")
def asset(version: str, name: str) -> Response:
    directory, installed = _installed()
    if name not in FILES:
        raise NotFound(f"{name} is not part of the API docs.")
    response = send_from_directory(directory, name)
    if version == installed:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
