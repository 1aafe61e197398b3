"""The cluster source of one app: its API client, its informers, and their urlFrom resolver.

Which informers run follows the settings (`resources.wanted`): a resource switched off is
stopped and its items withdrawn, one switched on (or a namespace added) starts listing, and a
change in how objects map (onlyAnnotated, defaultProtocol, ...) makes the running informers
list again, which changes the catalog only where an item really differs. A urlFrom target read
anew is handed to the informer whose items follow it, which writes them (`retarget`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import gevent.pool

from startpunkt.catalog import Catalog
from startpunkt.config import Settings
from startpunkt.model import Item
from startpunkt.readiness import Readiness
from startpunkt.sources import resolver
from startpunkt.sources.kube import api, informer, resources, targets
from startpunkt.sources.kube.timing import Timing

log = logging.getLogger(__name__)

RESOLVER_CONCURRENCY = 8
"""urlFrom targets read at once: enough for a burst after a list, gentle on the API server."""


def mapping_settings(settings: Settings) -> tuple[object, ...]:
    """The settings that change what objects map to (a change makes informers list again)."""
    return (
        settings.default_protocol,
        settings.ingress,
        settings.openshift,
        settings.istio,
        settings.gatewayapi,
        settings.hajimari,
        settings.namespace_selector,
        settings.url_from,
    )


def pool_size(settings: Settings) -> int:
    """Connections worth keeping: one per watch, one per urlFrom fetch, a few for lists."""
    return max(32, len(resources.wanted(settings)) + RESOLVER_CONCURRENCY + 4)


class Cluster:
    """Starts, follows and stops the informers of one app."""

    def __init__(
        self,
        client: api.Api,
        *,
        catalog: Catalog,
        readiness: Readiness,
        settings: Callable[[], Settings],
        timing: Timing,
        tasks: gevent.pool.Group,
    ) -> None:
        self.client = client
        self.timing = timing
        self._catalog = catalog
        self._readiness = readiness
        self._settings = settings
        self._tasks = tasks
        self._mapping: tuple[object, ...] | None = None
        self.resolver = resolver.Resolver(
            targets.ApiLookup(client, timing=timing),
            settings=settings,
            on_retarget=self._retarget,
            tasks=tasks,
            concurrency=RESOLVER_CONCURRENCY,
        )
        self.informers: dict[str, informer.Informer] = {}

    def start(self) -> None:
        self.resolver.start()
        self.follow(self._settings())

    def follow(self, settings: Settings, *, relist: bool = False) -> None:
        """Run exactly the informers `settings` want; with `relist`, kept ones list again."""
        self._mapping = mapping_settings(settings)
        wanted = {resources.informer_origin(r, ns): (r, ns) for r, ns in resources.wanted(settings)}
        for name in self.informers.keys() - wanted.keys():
            self.informers.pop(name).stop()
        if relist:
            for running in self.informers.values():
                self._tasks.add(running.restart())
        for name, (resource, namespace) in wanted.items():
            if name not in self.informers:
                self.informers[name] = new = self._informer(resource, namespace)
                self._tasks.add(new.start())
        if not wanted:
            log.warning("no kind is watched: every kind is switched off or no namespace selected")

    def reconfigure(self) -> None:
        """Follow a live settings change (see the module docstring)."""
        new = self._settings()
        self.follow(new, relist=mapping_settings(new) != self._mapping)

    def stop(self) -> None:
        """Stop every informer (withdrawing its items) and close the client."""
        for running in self.informers.values():
            running.stop()
        self.informers.clear()
        self.resolver.stop(kill=self.client.kill)
        self.client.close()

    def _retarget(self, origin: str, items: list[Item]) -> None:
        """Hand items whose urlFrom target was read anew to the informer that owns them."""
        owner = self.informers.get(origin)
        if owner is not None:
            owner.retarget(items)

    def _informer(self, resource: resources.Resource, namespace: str | None) -> informer.Informer:
        return informer.Informer(
            resource,
            namespace=namespace,
            client=self.client,
            catalog=self._catalog,
            readiness=self._readiness,
            settings=self._settings,
            resolver=self.resolver,
            timing=self.timing,
        )
