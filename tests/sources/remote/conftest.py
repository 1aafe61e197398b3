"""Fixtures for the remote source: real startpunkt instances (and scripted look-alikes) served
over HTTP on 127.0.0.1 in this gevent-patched process, followed by a real `Follower`.

A remote is a whole startpunkt app (`create_app(start=False)`, its catalog filled by the test)
under gevent's WSGI server, so the follower reads the same REST answers and event stream that
gunicorn serves. Timeouts and backoffs are shrunk with a `Timing`. Test modules reach the
helpers through the `remote` fixture (conftest modules are not imported).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask

from startpunkt import config, create_app, runtime, signals
from startpunkt.catalog import Catalog
from startpunkt.readiness import Readiness
from startpunkt.sources import remote as remote_source
from startpunkt.sources.remote import follower
from testkit import items, wait
from testkit.remote import Scripted, Served

FAST = follower.Timing(
    connect_timeout=2.0,
    request_timeout=5.0,
    backoff_initial=0.05,
    backoff_cap=0.3,
    heartbeat=30.0,
    silence_floor=0.5,
    short_session=0.2,
)
"""Seconds shrunk for tests: a refused connection is retried within 0.3 s."""


def instance(*, heartbeat: str = "30s", local: str = "local", **realtime: Any) -> Flask:
    """A startpunkt app without sources, its catalog filled by the test; fast events."""
    settings = config.from_mapping(
        {
            "startpunkt": {
                "realtime": {"heartbeatInterval": heartbeat, "eventDebounceMs": 10, **realtime},
                "clusters": {"local": {"name": local}},
            }
        },
        {},
    )
    return create_app(settings, start=False)


def put(app: Flask, *made: Any, origin: str = "file:test") -> None:
    """Put items into an instance's catalog as one of its own origins would."""
    rt = runtime.get(app)
    for item in made:
        rt.catalog.put(origin, dataclasses.replace(item, cluster=rt.settings.clusters.local.name))


def remote_settings(name: str, url: str, **extra: Any) -> config.RemoteClusterSettings:
    doc = {"startpunkt": {"clusters": {"remote": [{"name": name, "url": url, **extra}]}}}
    return config.from_mapping(doc, {}).clusters.remote[0]


class Changes:
    """Every `item_changed` a catalog sends, as (old, new) pairs."""

    def __init__(self, catalog: Catalog) -> None:
        self.seen: list[tuple[Any, Any]] = []
        signals.item_changed.connect(self._record, sender=catalog)

    def _record(self, sender: Any, *, old: Any, new: Any, **_: Any) -> None:
        self.seen.append((old, new))

    def clear(self) -> None:
        self.seen.clear()


@pytest.fixture
def remote() -> Iterator[SimpleNamespace]:
    """`serve(app)`, `follow(url, ...)`, `instance`, `put`, `Changes`, `wait_for`, `stays`."""
    served: list[Served] = []
    followers: list[follower.Follower] = []
    catalog, readiness = Catalog(), Readiness()

    def serve(app: Callable[..., Any], *, port: int = 0, ssl_context: Any = None) -> Served:
        running = Served(app, port=port, ssl_context=ssl_context).start()
        served.append(running)
        return running

    def follow(
        url: str,
        *,
        name: str = "west",
        timing: follower.Timing = FAST,
        environ: dict[str, str] | None = None,
        **extra: Any,
    ) -> follower.Follower:
        started = follower.Follower(
            remote_settings(name, url, **extra),
            catalog=catalog,
            readiness=readiness,
            timing=timing,
            user_agent="startpunkt/test",
            environ=environ,
        )
        started.start()
        followers.append(started)
        return started

    def synced(f: follower.Follower, timeout: float = 5.0) -> None:
        wait.wait_for(
            lambda: readiness.sources()[f.name].state == "synced", timeout=timeout, what="synced"
        )

    def ids() -> list[str]:
        snap = catalog.snapshot()
        return sorted(i.id for i in (*snap.applications, *snap.bookmarks))

    yield SimpleNamespace(
        serve=serve,
        follow=follow,
        synced=synced,
        ids=ids,
        catalog=catalog,
        readiness=readiness,
        instance=instance,
        put=put,
        Changes=Changes,
        Scripted=Scripted,
        items=items,
        wait_for=wait.wait_for,
        stays=wait.stays,
        runtime=runtime,
        remote_source=remote_source,
        fast=FAST,
        remote_settings=remote_settings,
    )
    for f in followers:
        f.stop()
    for s in served:
        s.stop()
