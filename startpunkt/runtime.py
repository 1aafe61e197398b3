"""The per-app object every part reaches through `app.extensions["startpunkt"]`.

`create_app` fills it; each part's `init_app` adds what it owns. Views and hooks get it with
`runtime.get()`, so no module keeps global state and tests can build as many apps as they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    import gevent

    from startpunkt.catalog import Catalog
    from startpunkt.config import Settings
    from startpunkt.readiness import Readiness


@dataclass
class Runtime:
    """Everything one startpunkt app holds while it runs."""

    settings: Settings
    catalog: Catalog
    readiness: Readiness
    version: str
    config_path: str | None = None
    broadcaster: Any = None
    """The `events.EventBroadcaster`, once `events.init_app` ran."""
    greenlets: list[gevent.Greenlet] = field(default_factory=list)
    """Background work (sources, prober, watchers) to kill on shutdown."""
    parts: dict[str, Any] = field(default_factory=dict)
    """Other long-lived objects by name (sources, prober), for tests and health."""


def get(app: Flask | None = None) -> Runtime:
    """The runtime of `app`, or of the current app."""
    return (app or current_app).extensions["startpunkt"]
