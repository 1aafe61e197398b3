"""The HTTP face of startpunkt: blueprints by audience.

`api` (REST for the page and scripts), `stream` (SSE), `page` (the HTML start page), `health`
(probes and metrics). Views read the catalog snapshot, never Kubernetes objects.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every blueprint."""
