"""What each source has achieved so far, for `/q/health/ready` and metrics.

A source registers under a name, then reports: listed (synced), API absent, forbidden, or an
error. Readiness tells the truth and keeps the page up: the app is not ready before every
source has completed its first list; after that a failing source keeps serving what it last
listed, so it stays ready and is shown as *degraded* (since when, in the health details and a
metric). Only when every source has been failing for longer than a grace period
(`health.outageGrace`) does readiness fail, so a blip of the API server or a 429 on one kind
never takes every replica out of its Service at once. An *optional* source (a followed remote
instance) is waited for only until its first attempt ends, and never counts towards "every
source down": another instance being down must never take this one out of its Service, whose
page still shows everything else (and the remote's last known items, marked stale).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger(__name__)

State = Literal["starting", "synced", "absent", "forbidden", "error", "stale"]
"""`stale`: unreachable now, serving what it last had (a remote instance)."""
_FAILING = ("error", "stale")


@dataclass
class SourceStatus:
    """The latest word from one source."""

    state: State = "starting"
    objects: int = 0
    last_error: str | None = None
    ever_synced: bool = False
    ever_listed: bool = False
    """Synced, or found the API absent or forbidden, at least once: it has said what it has."""
    since: float = field(default_factory=time.time)
    optional: bool = False
    """Blocks readiness only until its first attempt has ended (synced or not)."""
    registered: float = field(default_factory=time.monotonic)
    degraded_since: float | None = None
    """Wall-clock time it started failing after having listed (None: not failing)."""
    degraded_at: float | None = None
    """The same moment on the monotonic clock, for the grace period."""

    @property
    def degraded(self) -> bool:
        """Failing now, while serving what it listed before."""
        return self.degraded_since is not None

    @property
    def ready(self) -> bool:
        """Listed, and either not failing or failing while serving its last known state.

        An absent API counts as ready (its kind has nothing to show); a forbidden one does not
        block either, since the operator must fix RBAC and the rest of the page is still right.
        """
        if self.optional:
            return self.state != "starting"
        return self.state in ("synced", "absent", "forbidden") or self.degraded

    @property
    def started(self) -> bool:
        """Has synced once, or knows it cannot (absent, forbidden; an optional one that tried)."""
        return self.ever_synced or self.state in ("absent", "forbidden") or self.ready

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"state": self.state, "objects": self.objects}
        if self.degraded_since is not None:
            out["degraded"] = True
            out["degradedSince"] = _iso(self.degraded_since)
        if self.last_error:
            out["lastError"] = self.last_error
        return out


class Readiness:
    """Registry of sources and their status."""

    def __init__(self) -> None:
        self._sources: dict[str, SourceStatus] = {}

    def register(self, name: str, *, optional: bool = False) -> SourceStatus:
        return self._sources.setdefault(name, SourceStatus(optional=optional))

    def report(
        self, name: str, state: State, *, objects: int | None = None, error: str | None = None
    ) -> None:
        """Record what source `name` just achieved or suffered."""
        status = self.register(name)
        if status.state != state:
            status.since = time.time()
        failing = state in _FAILING
        if failing and status.ever_listed and status.degraded_since is None:
            status.degraded_since, status.degraded_at = time.time(), time.monotonic()
            log.warning("source %s is degraded, serving what it last listed: %s", name, error)
        elif not failing and status.degraded_since is not None:
            log.info("source %s recovered", name)
            status.degraded_since = status.degraded_at = None
        if state in ("synced", "absent", "forbidden"):
            status.ever_listed = True
        status.state = state
        status.last_error = error
        if objects is not None:
            status.objects = objects
        if state == "synced" and not status.ever_synced:
            # One line per source start: how long the first full read took, and what it found.
            log.info(
                "source %s synced: %d objects in %.2f s",
                name,
                status.objects,
                time.monotonic() - status.registered,
            )
            status.ever_synced = True

    def unregister(self, name: str) -> None:
        self._sources.pop(name, None)

    def sources(self) -> dict[str, SourceStatus]:
        return dict(self._sources)

    def ready(self, grace: float | None = None) -> bool:
        """Every source has listed, and not all of them are failing for longer than `grace`.

        Without `grace`, failing sources that have listed count as ready however long they fail.
        """
        statuses = list(self._sources.values())
        if not all(s.ready for s in statuses):
            return False  # before the first list of some source
        return grace is None or not self.all_down_for(grace)

    def all_down_for(self, grace: float) -> bool:
        """Every source is degraded, each for longer than `grace` seconds (remotes aside)."""
        statuses = [s for s in self._sources.values() if not s.optional]
        now = time.monotonic()
        return bool(statuses) and all(
            s.degraded_at is not None and now - s.degraded_at > grace for s in statuses
        )

    def started(self) -> bool:
        """Every source has synced at least once (or is known absent/forbidden)."""
        return all(s.started for s in self._sources.values())


def _iso(moment: float) -> str:
    """`2026-12-05T14:00:00Z`: UTC to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))
