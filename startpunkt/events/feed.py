"""How catalog and configuration changes reach the broadcaster: two blinker receivers.

A catalog change arrives as the (old, new) pair the coalescer takes, so it is passed on as it
is. Receivers run inside the catalog's own call (or the reload's), so they only record (never
block) and never raise: an error here is logged and the catalog carries on. Connected per app,
with that app's catalog (or the app) as sender.
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
    """The receivers of one app; kept in `rt.feed` because blinker holds them weakly.

    `local_only` passes on changes of this instance's own items only (not those followed from
    remote instances): the feed of the stream other instances follow.
    """

    def __init__(
        self, broadcaster: EventBroadcaster, *, version: str, local_only: bool = False
    ) -> None:
        self._broadcaster = broadcaster
        self._version = version
        self._local_only = local_only

    def connect(self, *, catalog: Catalog, app: Flask) -> None:
        signals.item_changed.connect(self.item_changed, sender=catalog)
        signals.config_changed.connect(self.config, sender=app)

    def item_changed(self, sender: Any, *, old: Item | None, new: Item | None, **_: Any) -> None:
        if self._local_only and _followed(new if new is not None else old):
            return
        try:
            self._broadcaster.item_changed(old, new)
        except Exception:
            log.exception("could not queue the event for %s", new or old)

    def config(self, sender: Any, *, config: config.Settings, **_: Any) -> None:
        try:
            data = _public(config, self._version)
            self._broadcaster.config_changed(data, enabled=config.realtime.enabled)
        except Exception:
            log.exception("could not queue the CONFIG_CHANGED event")


def _followed(item: Item | None) -> bool:
    """Followed from a remote instance (an item never changes between local and remote)."""
    return item is not None and item.remote


def _public(settings: config.Settings, version: str) -> dict[str, Any]:
    return config.public(settings, version)["config"]
