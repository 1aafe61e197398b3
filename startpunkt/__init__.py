"""startpunkt: a Kubernetes start page with live updates.

Data flows sources → mappers → catalog → events → web. Importing the package loads nothing but
this module, so the pure parts (`startpunkt.mappers`, `model`, `catalog`) work without Flask or
gevent; `create_app` imports each part as it wires it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from startpunkt.catalog import Catalog
    from startpunkt.config import Settings

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parent.parent


def create_app(
    settings: Settings | None = None,
    *,
    catalog: Catalog | None = None,
    start: bool = True,
    config_path: str | None = None,
) -> Flask:
    """Build the WSGI app.

    `settings` defaults to the configuration file and environment; `catalog` lets tests pre-fill
    the state; `start=False` runs no background greenlets (no sources, prober or watchers).
    """
    from flask import Flask

    from startpunkt import bundled, config, events, metrics, readiness, runtime, web
    from startpunkt import catalog as catalog_module

    app = Flask(
        __name__,
        template_folder=str(bundled.path("templates")),
        static_folder=str(bundled.path("static")),
        static_url_path="/static",
    )
    path = config.config_path(config_path)
    if settings is None:
        settings = config.load(path)
    app.extensions["startpunkt"] = runtime.Runtime(
        settings=settings,
        catalog=catalog if catalog is not None else catalog_module.Catalog(),
        readiness=readiness.Readiness(),
        version=__version__,
        config_path=str(path) if path else None,
    )
    metrics.init_app(app)
    events.init_app(app)
    web.init_app(app)
    if start:
        from startpunkt import availability, reload, sources

        sources.init_app(app)
        availability.init_app(app)
        reload.init_app(app)
    logging.getLogger(__name__).debug("startpunkt %s app created", __version__)
    return app
