"""What each source has achieved so far, for `/q/health/ready` and metrics.

A source registers under a name, then reports: listed (synced), API absent, forbidden, or an
error. The app is ready only when every enabled source has completed its first list. An
*optional* source (a followed remote instance) is waited for only until its first attempt ends:
another instance being down must never take this one out of its Service, whose page still shows
everything else (and the remote's last known items, marked stale).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger(__name__)

State = Literal["starting", "synced", "absent", "forbidden", "error", "stale"]
"""`stale`: unreachable now, serving what it last had (a remote instance)."""


@dataclass
class SourceStatus:
    """The latest word from one source."""

    state: State = "starting"
    objects: int = 0
    last_error: str | None = None
    ever_synced: bool = False
    since: float = field(default_factory=time.time)
    optional: bool = False
    """Blocks readiness only until its first attempt has ended (synced or not)."""
    registered: float = field(default_factory=time.monotonic)

    @property
    def ready(self) -> bool:
        """Listed and not failing now.

        An absent API counts as ready (its kind has nothing to show); a forbidden one does not
        block either, since the operator must fix RBAC and the rest of the page is still right.
        """
        if self.optional:
            return self.state != "starting"
        return self.state in ("synced", "absent", "forbidden")

    @property
    def started(self) -> bool:
        """Has synced once, or knows it cannot (absent, forbidden; an optional one that tried)."""
        return self.ever_synced or self.state in ("absent", "forbidden") or self.ready

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"state": self.state, "objects": self.objects}
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

    def ready(self) -> bool:
        """Every source has listed and is not failing now."""
        return all(s.ready for s in self._sources.values())

    def started(self) -> bool:
        """Every source has synced at least once (or is known absent/forbidden)."""
        return all(s.started for s in self._sources.values())
