"""Availability: is something answering at each application's URL?

`probe` makes one check of one URL; `prober` decides when each distinct URL is checked
(interval, backoff, new URLs soon) and hands results to `Catalog.set_available`, which updates
the applications and announces real changes (STATUS_CHANGED).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from startpunkt import config, runtime
from startpunkt.availability import prober

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Start probing application URLs when `availability.enabled`.

    The bundled example's hosts are made up, so probing them would only dim every card of the
    newcomer's first page; with nothing but the example to show, probing stays off.
    """
    if serving_only_the_example(app):
        log.info("availability checks are off while only the bundled example is served")
        return
    prober.init_app(app)


def serving_only_the_example(app: Flask) -> bool:
    """No cluster, and the manifest source reads the bundled example directory."""
    rt = runtime.get(app)
    source = rt.parts.get("files")
    if source is None or rt.parts.get("cluster_used"):
        return False
    return Path(source.directory).resolve() == Path(config.EXAMPLE_DIRECTORY).resolve()
