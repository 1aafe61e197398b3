"""One informer per watched resource (and namespace): cluster objects in, catalog items out.

The `ListWatch` (`watching.py`) says what exists after a list and what changed since; the
informer maps each object (`startpunkt.mappers`), resolves urlFrom (`sources.resolver`), and
writes the result under its own catalog origin, which nothing else writes: a list replaces the
origin wholesale (the catalog signals only real differences, so a re-list after 410 or an outage
is silent for unchanged objects), an event puts or discards single items, and a urlFrom target
read anew comes back through `retarget`. It remembers only which item ids each object gave, not
the objects, so ten thousand Ingresses cost little memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import gevent

from startpunkt import mappers, metrics
from startpunkt.catalog import Catalog
from startpunkt.config import Settings
from startpunkt.model import Item
from startpunkt.readiness import Readiness, State
from startpunkt.sources import problems, resolver
from startpunkt.sources.identity import ObjectId
from startpunkt.sources.kube import api, resources, watching
from startpunkt.sources.kube.timing import Timing

log = logging.getLogger(__name__)


class Informer:
    """Keeps the catalog origin `kube:<resource>[/<namespace>]` equal to the cluster."""

    def __init__(
        self,
        resource: resources.Resource,
        *,
        namespace: str | None,
        client: api.Api,
        catalog: Catalog,
        readiness: Readiness,
        settings: Callable[[], Settings],
        resolver: resolver.Resolver,
        timing: Timing,
    ) -> None:
        self.resource = resource
        self.namespace = namespace
        self.name = resources.informer_origin(resource, namespace)
        self._client = client
        self._catalog = catalog
        self._readiness = readiness
        self._settings = settings
        self._resolver = resolver
        self._timing = timing
        self._ids: dict[ObjectId, tuple[str, ...]] = {}
        self._problems = problems.ProblemLog(log)
        self.list_watch: watching.ListWatch | None = None
        self.greenlet: gevent.Greenlet | None = None

    def start(self) -> gevent.Greenlet:
        """List and watch in a new greenlet; what the catalog holds stays until the list."""
        self._readiness.register(self.name)
        self.list_watch = watching.ListWatch(
            self._client, self.resource, namespace=self.namespace, sink=self, timing=self._timing
        )
        self.greenlet = gevent.spawn(self.list_watch.run_forever)
        self.greenlet.name = self.name
        return self.greenlet

    def restart(self) -> gevent.Greenlet:
        """List again (after a settings change): unchanged items send no signal."""
        self._client.kill([self.greenlet])
        return self.start()

    def stop(self) -> None:
        """Stop watching and withdraw every item this informer contributed."""
        self._client.kill([self.greenlet])
        self._resolver.forget_origin(self.name)
        self._catalog.drop(self.name)
        self._readiness.unregister(self.name)
        self._ids.clear()

    def retarget(self, items: list[Item]) -> None:
        """The resolver read a target anew: these items of this origin resolve to this now."""
        for item in items:
            self._catalog.put(self.name, item)

    # -- watching.Sink ----------------------------------------------------------------------

    def listed(self, objects: Iterable[dict[str, Any]]) -> None:
        """Make the origin hold exactly what these objects map to (nothing changes on error)."""
        settings = self._settings()
        ids: dict[ObjectId, tuple[str, ...]] = {}
        items: list[Item] = []
        for obj in objects:
            key = ObjectId.of(obj)
            mapped = self._map(key, obj, settings)
            ids[key] = tuple(i.id for i in mapped)
            items.extend(mapped)
        items = self._resolver.replace(self.name, items, wait=self._timing.resolve_wait)
        self._catalog.replace(self.name, items)
        for gone in self._ids.keys() - ids.keys():
            self._problems.forget(gone)
        self._ids = ids

    def changed(self, event_type: str, obj: dict[str, Any]) -> None:
        """Put what a changed object maps to now; discard what it no longer gives."""
        key = ObjectId.of(obj)
        before = self._ids.pop(key, ())
        items: list[Item] = []
        if event_type == "DELETED":
            self._problems.forget(key)
        else:
            items = self._map(key, obj, self._settings())
            self._ids[key] = tuple(i.id for i in items)
            items = self._resolver.resolve(
                self.name, items, wait=self._timing.resolve_wait, refresh=True
            )
        gone = set(before) - {i.id for i in items}
        self._resolver.forget(self.name, gone)
        for item_id in gone:
            self._catalog.discard(self.name, item_id)
        for item in items:
            self._catalog.put(self.name, item)
        self._readiness.report(self.name, "synced", objects=len(self._ids))

    def report(self, state: State, *, error: str | None = None) -> None:
        self._readiness.report(self.name, state, objects=len(self._ids), error=error)

    def _map(self, key: ObjectId, obj: dict[str, Any], settings: Settings) -> list[Item]:
        """Map one object on its own, so one bad object never costs the others."""
        try:
            mapped = mappers.map_object(obj, settings)
        except Exception:
            log.exception("%s: mapping %s failed; skipped", self.name, key)
            metrics.objects_skipped.labels(kind=self.resource.kind, reason="error").inc()
            return []
        self._problems.observe(key, mapped.problems)
        return list(mapped.items)
