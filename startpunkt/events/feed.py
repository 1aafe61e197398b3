"""How catalog and configuration changes reach the broadcaster: blinker receivers.

Each receiver turns a signal into an (old, new) pair for the coalescer. They run inside the
catalog's own call, so they only record (never block) and never raise: an error here is logged
and the catalog carries on. Connected per app, with that app's catalog (or the app) as sender.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from startpunkt import config, signals
from startpunkt.catalog import Catalog
from startpunkt.events.broadcaster import EventBroadcaster
from startpunkt.model import Item

log = logging.getLogger(__name__)


class Feed:
    """The receivers of one app; kept in `rt.feed` because blinker holds them weakly."""

    def __init__(self, broadcaster: EventBroadcaster, *, version: str) -> None:
        self._broadcaster = broadcaster
        self._version = version

    def connect(self, *, catalog: Catalog, app: Flask) -> None:
        signals.application_added.connect(self.added, sender=catalog)
        signals.bookmark_added.connect(self.added, sender=catalog)
        signals.application_updated.connect(self.updated, sender=catalog)
        signals.bookmark_updated.connect(self.updated, sender=catalog)
        signals.application_removed.connect(self.removed, sender=catalog)
        signals.bookmark_removed.connect(self.removed, sender=catalog)
        signals.status_changed.connect(self.status, sender=catalog)
        signals.config_changed.connect(self.config, sender=app)

    def added(self, sender: Any, *, item: Item, **_: Any) -> None:
        self._change(None, item)

    def updated(self, sender: Any, *, item: Item, previous: Item | None = None, **_: Any) -> None:
        self._change(previous, item)

    def removed(self, sender: Any, *, item: Item, **_: Any) -> None:
        self._change(item, None)

    def status(self, sender: Any, *, item: Item, previous: Item, **_: Any) -> None:
        self._change(previous, item)

    def config(self, sender: Any, *, config: config.Settings, **_: Any) -> None:
        try:
            data = _public(config, self._version)
            self._broadcaster.config_changed(data, enabled=config.realtime.enabled)
        except Exception:
            log.exception("could not queue the CONFIG_CHANGED event")

    def _change(self, old: Item | None, new: Item | None) -> None:
        try:
            self._broadcaster.item_changed(old, new)
        except Exception:
            log.exception("could not queue the event for %s", (new or old))


def _public(settings: config.Settings, version: str) -> dict[str, Any]:
    return config.public(settings, version)["config"]
