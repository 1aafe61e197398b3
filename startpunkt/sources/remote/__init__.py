"""The remote source: other startpunkt instances, followed live (`clusters.remote`, SPEC §10).

Each enabled remote gets a `follower.Follower` (its greenlet in `rt.tasks`): it reads the
instance's own applications and bookmarks, follows its event stream, and writes them under the
catalog origin `remote:<name>` (`origin.RemoteOrigin`), items mapped by `mappers.remote` with the
same rules as local objects. `http` speaks to the instance, `errors` says what a failure means.
A settings change starts, stops or restarts exactly the followers whose entry changed.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from startpunkt import runtime, signals
from startpunkt.catalog import Catalog
from startpunkt.config import RemoteClusterSettings, Settings
from startpunkt.readiness import Readiness
from startpunkt.sources.remote.follower import Follower, Timing

__all__ = ["Follower", "Remotes", "Timing", "init_app"]

log = logging.getLogger(__name__)


class Remotes:
    """The followers of one app, one per enabled remote, by cluster name."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        readiness: Readiness,
        tasks: Any,
        user_agent: str,
        timing: Timing | None = None,
    ) -> None:
        self.followers: dict[str, Follower] = {}
        self._catalog = catalog
        self._readiness = readiness
        self._tasks = tasks
        self._user_agent = user_agent
        self._timing = timing or Timing()

    def apply(self, remotes: tuple[RemoteClusterSettings, ...]) -> None:
        """Follow exactly the enabled `remotes`: unchanged entries keep their connection."""
        wanted = {r.name: r for r in remotes if r.enabled}
        for name, running in list(self.followers.items()):
            if wanted.get(name) != running.settings:
                running.stop()
                del self.followers[name]
                log.info("cluster %s: no longer followed", name)
        for name, settings in wanted.items():
            if name not in self.followers:
                self.followers[name] = self._start(settings)

    def stop(self) -> None:
        self.apply(())

    def _start(self, settings: RemoteClusterSettings) -> Follower:
        started = Follower(
            settings,
            catalog=self._catalog,
            readiness=self._readiness,
            timing=self._timing,
            user_agent=self._user_agent,
        )
        self._tasks.add(started.start())
        log.info("cluster %s: following %s", settings.name, started.client.base)
        return started


def init_app(app: Flask, *, timing: Timing | None = None) -> None:
    """Follow the configured remotes, and follow the settings when they change."""
    rt = runtime.get(app)
    rt.remotes = Remotes(
        catalog=rt.catalog,
        readiness=rt.readiness,
        tasks=rt.tasks,
        user_agent=f"startpunkt/{rt.version}",
        timing=timing,
    )
    rt.remotes.apply(rt.settings.clusters.remote)
    signals.config_changed.connect(_reconfigure, sender=app)


def _reconfigure(app: Flask, *, config: Settings, **_: Any) -> None:
    remotes = runtime.get(app).remotes
    if remotes is not None:
        remotes.apply(config.clusters.remote)
