"""urlFrom in the cluster: read the target object, then give the Application that object's URL.

The mapper parsed and checked the reference; here the target is fetched: its plural comes from
API discovery, only kinds in `urlFrom.allowedKinds` are read (never Secrets), and each target
is fetched once however many Applications point at it. Fetches run in their own greenlets, so
a slow API server never holds up a watch: an informer waits at most `resolve_wait` for a target
it has never read, and whatever arrives later (or changes, on the refresh every
`availability.interval`, or after the Application changed) is put into the catalog then. A
target that cannot be read leaves the Application its own `url`, with a logged problem.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import gevent
import gevent.lock

from startpunkt.catalog import Catalog
from startpunkt.config import Settings
from startpunkt.mappers import Problem, url_from
from startpunkt.model import Application, Item
from startpunkt.sources import problems
from startpunkt.sources.kube import api, discovery, errors
from startpunkt.sources.kube.timing import Timing

log = logging.getLogger(__name__)

TargetKey = tuple[str, str, str, str, str]
"""(API group, version, kind, namespace, name) of a urlFrom target."""
Tracked = tuple[str, str]
"""(origin, item id) of an Application that follows a target."""
MIN_REFRESH = 0.1
"""Seconds: an `availability.interval` of zero must not make the refresh spin."""


@dataclass(frozen=True)
class Target:
    """The last read of one target: the object, or why there is none."""

    obj: dict[str, Any] | None
    error: str | None = None
    """Why it could not be read; None when it was read, or simply does not exist."""
    fetched: float = field(default_factory=time.monotonic, compare=False)


def follows(item: Item) -> bool:
    return isinstance(item, Application) and item.url_from is not None


def target_key(app: Application) -> TargetKey:
    ref = app.url_from
    assert ref is not None
    namespace = ref.namespace or app.namespace
    return (ref.api_group or "", ref.api_version, ref.kind, namespace, ref.name)


class Resolver:
    """Targets read so far, and the Applications following each, for every informer."""

    def __init__(
        self,
        client: api.Api,
        *,
        catalog: Catalog,
        settings: Callable[[], Settings],
        timing: Timing,
        concurrency: int = 8,
    ) -> None:
        self._client = client
        self._catalog = catalog
        self._settings = settings
        self._timing = timing
        self._plurals = discovery.Plurals(
            client,
            ttl=timing.discovery_ttl,
            retry=timing.absent_retry,
            read_timeout=timing.request_timeout,
        )
        self._slots = gevent.lock.BoundedSemaphore(concurrency)
        self._tracked: dict[Tracked, Application] = {}
        self._followers: dict[TargetKey, set[Tracked]] = {}
        self._targets: dict[TargetKey, Target] = {}
        self._inflight: dict[TargetKey, gevent.Greenlet] = {}
        self._problems = problems.ProblemLog(log)
        self.greenlet: gevent.Greenlet | None = None

    def start(self) -> gevent.Greenlet:
        """Re-read every followed target each `availability.interval`, in a greenlet."""
        self.greenlet = gevent.spawn(self._refresh_forever)
        return self.greenlet

    def stop(self) -> None:
        self._client.kill([*self._inflight.values(), self.greenlet])
        self._inflight.clear()

    def replace(self, origin: str, items: list[Item], *, wait: float) -> list[Item]:
        """`resolve` for everything `origin` holds now (after a list): others are forgotten."""
        keep = {i.id for i in items}
        self.forget(origin, [i for (o, i) in self._tracked if o == origin and i not in keep])
        return self.resolve(origin, items, wait=wait, refresh=False)

    def resolve(
        self, origin: str, items: list[Item], *, wait: float, refresh: bool = True
    ) -> list[Item]:
        """`items` with each urlFrom resolved from the targets read so far.

        Targets never read are fetched now (waiting at most `wait`); with `refresh`, targets
        already read are read again in the background, since the Application just changed.
        """
        pending = []
        for item in items:
            if not follows(item):
                self.forget(origin, [item.id])
                continue
            assert isinstance(item, Application)
            key = self._track((origin, item.id), item)
            if key not in self._targets:
                pending.append(self._fetch_soon(key))
            elif refresh:
                self._fetch_soon(key)
        if pending:
            gevent.joinall(pending, timeout=wait)
        return [self._apply(origin, i) if follows(i) else i for i in items]

    def forget(self, origin: str, ids: Iterable[str]) -> None:
        """These items no longer follow anything (deleted, or without urlFrom now)."""
        for item_id in ids:
            self._untrack((origin, item_id))

    def forget_origin(self, origin: str) -> None:
        self.forget(origin, [i for (o, i) in self._tracked if o == origin])

    def refresh(self) -> None:
        """Read every followed target again; drop targets nobody follows any more."""
        for key in self._targets.keys() - self._followers.keys():
            del self._targets[key]
        for key in list(self._followers):
            self._fetch_soon(key)

    def _refresh_forever(self) -> None:
        while True:
            gevent.sleep(max(MIN_REFRESH, self._settings().availability.interval))
            self.refresh()

    def _track(self, tracked: Tracked, app: Application) -> TargetKey:
        """Remember that `app` follows its target (replacing what it followed before)."""
        self._untrack(tracked, keep_problems=True)
        self._tracked[tracked] = app
        key = target_key(app)
        self._followers.setdefault(key, set()).add(tracked)
        return key

    def _untrack(self, tracked: Tracked, *, keep_problems: bool = False) -> None:
        app = self._tracked.pop(tracked, None)
        if app is None:
            return
        key = target_key(app)
        followers = self._followers.get(key, set())
        followers.discard(tracked)
        if not followers:
            self._followers.pop(key, None)
        if not keep_problems:
            self._problems.forget(tracked)

    def _apply(self, origin: str, app: Application) -> Item:
        """The app with its target's URL; its own url while the target was never read."""
        target = self._targets.get(target_key(app))
        if target is None:
            return app
        if target.error is not None:
            found: tuple[Problem, ...] = (
                Problem(
                    app.source,
                    app.namespace,
                    app.resource_name,
                    f"urlFrom: {target.error}; using url",
                    "urlFrom",
                ),
            )
            resolved: Item = app
        else:
            mapped = url_from.apply(app, target.obj)
            found, resolved = mapped.problems, mapped.items[0] if mapped.items else app
        self._problems.observe((origin, app.id), found)
        return resolved

    def _fetch_soon(self, key: TargetKey) -> gevent.Greenlet:
        """A greenlet reading `key` (one per target at a time); the caller never blocks."""
        running = self._inflight.get(key)
        if running is None:
            running = self._inflight[key] = gevent.spawn(self._fetch_and_publish, key)
        return running

    def _fetch_and_publish(self, key: TargetKey) -> None:
        try:
            with self._slots:
                target = self._fetch(key)
        except Exception as exc:
            log.exception("urlFrom: reading %s failed", key)
            target = Target(None, f"reading it failed ({type(exc).__name__})")
        finally:
            self._inflight.pop(key, None)
        if self._targets.get(key) == target:
            self._targets[key] = target
            return
        self._targets[key] = target
        for origin, item_id in list(self._followers.get(key, ())):
            app = self._tracked[(origin, item_id)]
            self._catalog.put(origin, self._apply(origin, app))

    def _fetch(self, key: TargetKey) -> Target:
        """One GET of the target, through discovery; failures become a `Target` saying why."""
        group, version, kind, namespace, name = key
        where = f"{kind} {namespace}/{name}"
        allowed = self._settings().url_from.allowed_kinds
        if kind.lower() in url_from.NEVER_READ or kind not in allowed:
            return Target(None, f"{kind} may not be read (urlFrom.allowedKinds)")
        group_version = f"{group}/{version}" if group else version
        resource = None
        try:
            resource = self._plurals.lookup(group, version, kind)
            if resource is None:
                return Target(None, f"the cluster serves no {kind} in {group_version}")
            path = api.object_path(
                group, version, resource.plural, namespace if resource.namespaced else None, name
            )
            return Target(self._client.get(path, read_timeout=self._timing.request_timeout))
        except errors.NotFound:
            return Target(None)
        except errors.Forbidden:
            rule = f"get on {resource.plural if resource else kind} in apiGroup {group!r}"
            return Target(None, f"forbidden to read {where} (RBAC needs {rule})")
        except errors.KubeError as exc:
            previous = self._targets.get(key)
            if previous is not None and previous.obj is not None:
                log.debug("urlFrom: cannot read %s (%s); keeping the last read", where, exc)
                return previous
            return Target(None, f"cannot read {where}: {exc}")
