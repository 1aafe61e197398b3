"""`/icons/<set>/<token>/<name>.svg`: icons from the sets installed with the app (`iconsets`).

The token is the hash of the set's data, so each URL names one picture forever and is cached
as immutable; a URL with an old token (a page rendered before an upgrade) still gets the icon,
revalidated instead. The page learns the URL prefix of each set from `bases()`; with no set
installed it is empty and the page draws from Iconify's CDN as before.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import NotFound

from startpunkt import bundled, iconsets, runtime

bp = Blueprint("icons", __name__)

NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""An icon or set name as Iconify writes it (what `safe.icon_source` lets through)."""
YEAR = 365 * 24 * 3600
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""Opened on its own, an icon is a document: nothing in it may run or load."""


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    runtime.get(state.app).icon_sets = iconsets.discover(bundled.npm_modules())


def bases() -> dict[str, str]:
    """Each installed set's URL prefix (`/icons/mdi/<token>`, under the app's root path)."""
    sets = runtime.get().icon_sets or {}
    return {prefix: f"{request.script_root}/icons/{prefix}/{s.token}" for prefix, s in sets.items()}


@bp.get("/icons/<iconset>/<token>/<name>.svg")
def icon(iconset: str, token: str, name: str) -> Response:
    found = (runtime.get().icon_sets or {}).get(iconset)
    svg = found.svg(name) if found is not None and NAME.fullmatch(name) else None
    if svg is None:
        raise NotFound(f"No icon {iconset}:{name} is installed.")
    response = Response(svg, mimetype="image/svg+xml")
    if token == found.token:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    response.set_etag(f"{found.token}-{name}")
    response.headers["Content-Security-Policy"] = SVG_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)
