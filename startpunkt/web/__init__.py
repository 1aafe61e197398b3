"""The HTTP face of startpunkt: blueprints by audience.

`api` (REST for the page and scripts), `stream` (SSE), `page` (the HTML start page), `health`
(probes and metrics); `responses` holds the JSON answers and errors they share; `cors` adds
the CORS headers for configured origins. Views read the
catalog snapshot, never Kubernetes objects.
"""

from __future__ import annotations

from flask import Flask

from startpunkt.web import api, cors, health, page, stream


def init_app(app: Flask) -> None:
    """Register every blueprint; the page last, since `/<tags>` would shadow nothing else."""
    app.register_blueprint(api.bp)
    app.register_blueprint(stream.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(page.bp)
    cors.init_app(app)
