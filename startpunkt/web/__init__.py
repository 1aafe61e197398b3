"""The HTTP face of startpunkt: blueprints by audience.

`api` (REST for the page and scripts), `stream` (SSE), `page` (the HTML start page), `icons`
(icon sets served offline), `health` (probes, metrics, OpenAPI), `swagger` (API docs);
`responses` holds the JSON answers and errors they share, `cors` adds the CORS headers for
configured origins, `prefix` mounts everything under `web.rootPath`, `proxies` says whose
`X-Forwarded-For` is believed. Views read the catalog snapshot, never Kubernetes objects.
"""

from __future__ import annotations

from flask import Flask

from startpunkt import runtime
from startpunkt.web import (
    api,
    cors,
    health,
    icons,
    page,
    prefix,
    proxies,
    responses,
    stream,
    swagger,
)


def init_app(app: Flask) -> None:
    """Register every blueprint; the page last, since `/<tags>` would shadow nothing else."""
    app.register_blueprint(api.bp)
    app.register_blueprint(stream.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(icons.bp)
    app.register_blueprint(swagger.bp)
    app.register_blueprint(page.bp)
    responses.init_app(app)
    cors.init_app(app)
    rt = runtime.get(app)
    rt.proxies = proxies.Proxies.from_environment()  # under gunicorn, its own setting (early.py)
    root = prefix.normalise(rt.settings.web.root_path)
    if root:
        app.wsgi_app = prefix.Mount(app.wsgi_app, root)  # type: ignore[method-assign]
