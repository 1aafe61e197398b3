"""Availability: is something answering at each application's URL?

`probe` makes one check of one URL; `prober` decides when each distinct URL is checked
(interval, backoff, new URLs soon) and hands results to `Catalog.set_available`, which updates
the applications and announces real changes (STATUS_CHANGED).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from startpunkt import config, runtime, signals
from startpunkt.availability import prober

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Probe application URLs while `availability.enabled` (switchable by a live reload).

    The bundled example's hosts are made up, so probing them would only dim every card of the
    newcomer's first page; with nothing but the example to show, probing stays off.
    """
    if serving_only_the_example(app):
        log.info("availability checks are off while only the bundled example is served")
        return
    if runtime.get(app).settings.availability.enabled:
        start(app)
    signals.config_changed.connect(reconfigure, sender=app)


def start(app: Flask, **timing: float) -> prober.Prober:
    """Run a prober for `app`'s catalog among its background greenlets."""
    rt = runtime.get(app)
    rt.prober = prober.Prober(
        rt.catalog,
        settings=lambda: rt.settings.availability,
        user_agent=f"startpunkt/{rt.version}",
        **timing,
    )
    rt.tasks.spawn(rt.prober.run)
    return rt.prober


def reconfigure(app: Flask, *, config: config.Settings, **_: Any) -> None:
    """A live settings change: the prober looks again; probing switched on starts one."""
    rt = runtime.get(app)
    if rt.prober is not None:
        rt.prober.wake()
    elif config.availability.enabled:
        # The catalog is loaded by now: no start-up wait.
        start(app, start_delay=prober.NEW_URL_DELAY)


def serving_only_the_example(app: Flask) -> bool:
    """No cluster, and the manifest source reads the bundled example directory."""
    rt = runtime.get(app)
    if rt.files is None or rt.cluster_configured:
        return False
    return Path(rt.files.directory).resolve() == Path(config.EXAMPLE_DIRECTORY).resolve()
