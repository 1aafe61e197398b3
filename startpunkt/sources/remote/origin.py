"""One remote instance's share of the catalog: the origin `remote:<name>`, and its one writer.

It keeps the remote's items as they were last received (mapped by `mappers.remote`, at most
`maxItems`), and writes the catalog a view of them: as they are, or marked stale while the
remote is unreachable. A re-read replaces the whole origin, so the catalog signals only real
differences, exactly as after a Kubernetes re-list. No I/O here: the follower reads, this
decides what the catalog holds.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Any

from startpunkt import metrics, model
from startpunkt.catalog import Catalog
from startpunkt.mappers import Mapped
from startpunkt.mappers import remote as mapping
from startpunkt.model import Application, Bookmark, Item
from startpunkt.sources import problems

log = logging.getLogger(__name__)

ORIGIN_PREFIX = "remote:"

MapFunction = Callable[..., Mapped]


def remote_origin(name: str) -> str:
    """The catalog origin of one remote instance's items."""
    return ORIGIN_PREFIX + name


class RemoteOrigin:
    """The items of one remote cluster, and how the catalog shows them."""

    def __init__(self, cluster: str, *, catalog: Catalog, max_items: int) -> None:
        self.cluster = cluster
        self.origin = remote_origin(cluster)
        self.max_items = max_items
        self.stale_since: str | None = None
        """While unreachable: when it was last heard from (UTC, ISO 8601)."""
        self.announced: str | None = None
        """The name the remote gives its own cluster; items naming another are not its own."""
        self._catalog = catalog
        self._items: dict[str, Item] = {}
        self._capped = False
        self._problems = problems.ProblemLog(log)

    def __len__(self) -> int:
        return len(self._items)

    def replace(self, *, applications: list[Any] | None, bookmarks: list[Any] | None) -> None:
        """Hold exactly these (None: the kind is unchanged, a 304); stale no more."""
        kept: dict[str, Item] = {}
        fresh: list[tuple[MapFunction, Iterable[Any]]] = []
        for kind, raw, build in (
            (Application, applications, mapping.application),
            (Bookmark, bookmarks, mapping.bookmark),
        ):
            if raw is None:
                kept.update((k, i) for k, i in self._items.items() if isinstance(i, kind))
            else:
                fresh.append((build, raw))
        items: dict[str, Item] = {}
        dropped = 0
        for build, raw in fresh:
            for obj in raw:
                for item in self._map(build, obj):
                    if len(items) + len(kept) < self.max_items or item.id in items:
                        items[item.id] = item
                    else:
                        dropped += 1
        self._items = {**kept, **items}
        self._over_cap(dropped)
        self.stale_since = None
        self._catalog.replace(self.origin, map(self._view, self._items.values()))

    def put(self, build: MapFunction, obj: Any) -> None:
        """One added or updated item (an APPLICATION_/BOOKMARK_ ADDED or UPDATED event)."""
        for item in self._map(build, obj):
            if item.id not in self._items and len(self._items) >= self.max_items:
                self._over_cap(1)
                continue
            self._items[item.id] = item
            self._catalog.put(self.origin, self._view(item))

    def remove(self, kind: type[Item], obj: Any) -> None:
        """One removed item (REMOVED names it by its id on the remote)."""
        own = mapping.own_id(obj)
        item_id = _id(self.cluster, own)
        if item_id is None or not isinstance(self._items.get(item_id), kind):
            return
        del self._items[item_id]
        self._problems.forget(own)
        self._catalog.discard(self.origin, item_id)
        if len(self._items) < self.max_items:
            self._capped = False

    def status(self, obj: Any) -> None:
        """An application's availability (STATUS_CHANGED), as the remote's prober found it."""
        item_id = _id(self.cluster, mapping.own_id(obj))
        item = self._items.get(item_id) if item_id else None
        available = obj.get("available") if isinstance(obj, dict) else None
        if not isinstance(item, Application) or not isinstance(available, bool):
            return
        item = self._items[item.id] = dataclasses.replace(item, available=available)
        self._catalog.put(self.origin, self._view(item))

    def mark_stale(self, since: str) -> None:
        """The remote is unreachable: keep its items, marked stale since `since`."""
        if self.stale_since is not None:
            return
        self.stale_since = since
        self._catalog.replace(self.origin, map(self._view, self._items.values()))

    def fresh(self) -> None:
        """The remote answers again (its stream resumed): its items are current again."""
        if self.stale_since is None:
            return
        self.stale_since = None
        self._catalog.replace(self.origin, self._items.values())

    def forget(self) -> None:
        """Withdraw every item (the remote is no longer followed)."""
        self._items.clear()
        self.stale_since = None
        self._catalog.drop(self.origin)

    def _view(self, item: Item) -> Item:
        if self.stale_since is None:
            return item
        return dataclasses.replace(item, stale=True, stale_since=self.stale_since)

    def _map(self, build: MapFunction, obj: Any) -> tuple[Item, ...]:
        """One remote item mapped; its problems logged once; another cluster's item refused."""
        announced = self.announced
        if (
            announced is not None
            and isinstance(obj, dict)
            and obj.get("cluster")
            not in (
                None,
                announced,
            )
        ):
            # An instance that ignores `scope=local` re-exports what it follows: never echo it.
            metrics.remote_items_dropped.labels(cluster=self.cluster, reason="foreign").inc()
            return ()
        mapped = build(obj, cluster=self.cluster)
        where = f"cluster {self.cluster}"
        self._problems.observe(mapping.own_id(obj), mapped.problems, where=where)
        return mapped.items

    def _over_cap(self, dropped: int) -> None:
        """Count items dropped at the cap; say so once each time the cap is reached."""
        if not dropped:
            if len(self._items) < self.max_items:
                self._capped = False
            return
        metrics.remote_items_dropped.labels(cluster=self.cluster, reason="cap").inc(dropped)
        if not self._capped:
            log.warning(
                "cluster %s: more than %d items; the rest are dropped (clusters.remote[].maxItems)",
                self.cluster,
                self.max_items,
            )
            self._capped = True


def _id(cluster: str, own: str | None) -> str | None:
    return None if own is None else model.remote_id(cluster, own)
