"""urlFrom for every source: read the objects Applications take their URL from, and follow them.

The mapper parsed and checked the reference (`mappers.url_from`); here its target is read. How
is the source's business, a `Lookup`: the file source looks in its own index, the cluster source
GETs the object through discovery (`kube/targets.py`). The rest is the same for both: one
target key, one allow-list check before any read (never Secrets), each target read once however
many Applications follow it, and the Application's own `url`, with a logged problem, whenever
its target cannot be used.

A resolver never writes to the catalog. When a target reads differently than before (it arrived
after the caller stopped waiting, changed, or vanished), the source owning the followers is told
which of its items now resolve differently (`on_retarget`) and writes them itself: every catalog
origin has one writer. With a `tasks` group, reads run in greenlets of it (the cluster, whose
reads are requests: a caller waits at most `wait` for a target never read, and a refresh reads
every followed target again each `availability.interval`); without, they run at once (the file
source, whose reads are dictionary lookups and which rereads exactly the objects that changed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import gevent
import gevent.lock
import gevent.pool

from startpunkt.config import Settings
from startpunkt.mappers import Problem, url_from
from startpunkt.model import Application, Item
from startpunkt.sources import problems
from startpunkt.sources.identity import ObjectId

log = logging.getLogger(__name__)

Tracked = tuple[str, str]
"""(origin, item id) of an Application that follows a target."""
MIN_REFRESH = 0.1
"""Seconds: an `availability.interval` of zero must not make the refresh spin."""


class Target(NamedTuple):
    """What a urlFrom names: one object, and the version of its group to read it in.

    The cluster reads the object in that version (failing when it is not served); a manifest
    file holds each object in one version only, so the file source ignores it.
    """

    id: ObjectId
    version: str


def target_of(app: Application) -> Target:
    ref = app.url_from
    assert ref is not None
    namespace = ref.namespace or app.namespace
    return Target(ObjectId(ref.api_group or "", ref.kind, namespace, ref.name), ref.api_version)


def follows(item: Item) -> bool:
    return isinstance(item, Application) and item.url_from is not None


@dataclass(frozen=True)
class Read:
    """The last read of one target: the object, or why there is none."""

    obj: dict[str, Any] | None
    error: str | None = None
    """Why it could not be read; None when it was read, or simply does not exist."""


class Unreadable(Exception):
    """A lookup failed in a way worth trying again (the API server is unreachable, ...)."""


Lookup = Callable[[Target], Read]
"""Reads one target: the object, None when it does not exist, or why not (`Read.error`);
raises `Unreadable` for a failure worth trying again."""
OnRetarget = Callable[[str, list[Item]], None]
"""Told (origin, items) when those items of that origin resolve differently now."""


class Resolver:
    """Targets read so far, and the Applications of one source following each.

    Problems are logged once per Application (`problems.ProblemLog`); `where(origin)` may name
    the place an origin's objects come from (a file path) for those log lines.
    """

    def __init__(
        self,
        lookup: Lookup,
        *,
        settings: Callable[[], Settings],
        on_retarget: OnRetarget,
        tasks: gevent.pool.Group | None = None,
        concurrency: int = 8,
        where: Callable[[str], str | None] = lambda origin: None,
    ) -> None:
        self._lookup = lookup
        self._settings = settings
        self._on_retarget = on_retarget
        self._tasks = tasks
        self._slots = gevent.lock.BoundedSemaphore(concurrency)
        self._where = where
        self._tracked: dict[Tracked, Application] = {}
        self._followers: dict[Target, set[Tracked]] = {}
        self._reads: dict[Target, Read] = {}
        self._inflight: dict[Target, gevent.Greenlet] = {}
        self._answering: set[Tracked] = set()
        """Followers a `resolve` call is about to return: their owner need not be told."""
        self._problems = problems.ProblemLog(log)
        self._refresher: gevent.Greenlet | None = None

    def start(self) -> gevent.Greenlet:
        """Read every followed target again each `availability.interval` (needs `tasks`)."""
        assert self._tasks is not None, "a refresh runs in the background"
        self._refresher = self._tasks.spawn(self._refresh_forever)
        return self._refresher

    def stop(self, *, kill: Callable[[list[gevent.Greenlet]], None] = gevent.killall) -> None:
        """End the refresh and every read in flight (`kill`: how, say `api.Api.kill`)."""
        kill([g for g in (*self._inflight.values(), self._refresher) if g is not None])
        self._inflight.clear()

    def replace(self, origin: str, items: list[Item], *, wait: float = 0.0) -> list[Item]:
        """`resolve` for everything `origin` holds now (after a list): others are forgotten."""
        keep = {i.id for i in items}
        self.forget(origin, [i for (o, i) in self._tracked if o == origin and i not in keep])
        return self.resolve(origin, items, wait=wait)

    def resolve(
        self, origin: str, items: list[Item], *, wait: float = 0.0, refresh: bool = False
    ) -> list[Item]:
        """`items` with each urlFrom resolved from the targets read so far.

        Targets never read are read now (in the background: waiting at most `wait`); with
        `refresh`, targets already read are read again, since the Application just changed.
        """
        answering = {(origin, i.id) for i in items if follows(i)}
        self._answering |= answering  # reads done before the return are told by the return
        try:
            pending = []
            for item in items:
                if not follows(item):
                    self._untrack((origin, item.id))
                    continue
                assert isinstance(item, Application)
                target = self._track((origin, item.id), item)
                if target not in self._reads:
                    pending.append(self._read_soon(target))
                elif refresh:
                    self._read_soon(target)
            running = [g for g in pending if g is not None]
            if running:
                gevent.joinall(running, timeout=wait)
            return [self._apply(origin, i) if follows(i) else i for i in items]
        finally:
            self._answering -= answering

    def forget(self, origin: str, ids: Iterable[str]) -> None:
        """These items no longer follow anything (deleted, or without urlFrom now)."""
        for item_id in ids:
            self._untrack((origin, item_id))

    def forget_origin(self, origin: str) -> None:
        self.forget(origin, [i for (o, i) in self._tracked if o == origin])

    def reread(self, ids: Collection[ObjectId] | None = None) -> None:
        """Read followed targets again (every one, or those naming `ids`); drop unfollowed reads."""
        for target in self._reads.keys() - self._followers.keys():
            if ids is None or target.id in ids:
                del self._reads[target]
        for target in list(self._followers):
            if ids is None or target.id in ids:
                self._read_soon(target)

    def _refresh_forever(self) -> None:
        while True:
            gevent.sleep(max(MIN_REFRESH, self._settings().availability.interval))
            self.reread()

    def _track(self, tracked: Tracked, app: Application) -> Target:
        """Remember that `app` follows its target (replacing what it followed before)."""
        self._untrack(tracked, keep_problems=True)
        self._tracked[tracked] = app
        target = target_of(app)
        self._followers.setdefault(target, set()).add(tracked)
        return target

    def _untrack(self, tracked: Tracked, *, keep_problems: bool = False) -> None:
        app = self._tracked.pop(tracked, None)
        if app is None:
            return
        target = target_of(app)
        followers = self._followers.get(target, set())
        followers.discard(tracked)
        if not followers:
            self._followers.pop(target, None)
        if not keep_problems:
            self._problems.forget(tracked)

    def _apply(self, origin: str, app: Application) -> Item:
        """The app with its target's URL; its own url while the target was never read."""
        read = self._reads.get(target_of(app))
        if read is None:
            return app
        if read.error is not None:
            found: tuple[Problem, ...] = (
                Problem(
                    app.source,
                    app.namespace,
                    app.resource_name,
                    f"urlFrom: {read.error}; using url",
                    "urlFrom",
                ),
            )
            resolved: Item = app
        else:
            mapped = url_from.apply(app, read.obj)
            found, resolved = mapped.problems, mapped.items[0] if mapped.items else app
        self._problems.observe((origin, app.id), found, where=self._where(origin))
        return resolved

    def _read_soon(self, target: Target) -> gevent.Greenlet | None:
        """Read `target`: at once without `tasks`, else in a greenlet (one per target at a time)."""
        if self._tasks is None:
            self._store(target, self._read(target))
            return None
        running = self._inflight.get(target)
        if running is None:
            running = self._inflight[target] = self._tasks.spawn(self._read_in_background, target)
        return running

    def _read_in_background(self, target: Target) -> None:
        try:
            with self._slots:
                read = self._read(target)
        finally:
            self._inflight.pop(target, None)
        self._store(target, read)

    def _read(self, target: Target) -> Read:
        """One lookup, if the kind may be read; every failure becomes a `Read` saying why."""
        kind = target.id.kind
        if not url_from.may_read(kind, self._settings().url_from_kinds()):
            return Read(None, f"{kind} may not be read (urlFrom.allowedKinds)")
        try:
            return self._lookup(target)
        except Unreadable as exc:
            previous = self._reads.get(target)
            if previous is not None and previous.obj is not None:
                log.debug("urlFrom: cannot read %s (%s); keeping the last read", target.id, exc)
                return previous
            return Read(None, f"cannot read {target.id}: {exc}")
        except Exception as exc:
            log.exception("urlFrom: reading %s failed", target.id)
            return Read(None, f"reading it failed ({type(exc).__name__})")

    def _store(self, target: Target, read: Read) -> None:
        """Keep `read`; if it differs from the last, tell each owner what its followers are now."""
        previous = self._reads.get(target)
        self._reads[target] = read
        if read == previous:
            return
        changed: dict[str, list[Item]] = {}
        for origin, item_id in sorted(self._followers.get(target, set()) - self._answering):
            app = self._tracked[(origin, item_id)]
            changed.setdefault(origin, []).append(self._apply(origin, app))
        for origin, items in changed.items():
            self._on_retarget(origin, items)
