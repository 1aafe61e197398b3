"""The per-app object every part reaches through `app.extensions["startpunkt"]`.

`create_app` fills in what every app has; each part's `init_app` sets the field it owns. Views
and hooks get it with `runtime.get()`, so no module keeps global state and tests can build as
many apps as they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app
from gevent.pool import Group

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from startpunkt.availability.prober import Prober
    from startpunkt.catalog import Catalog
    from startpunkt.config import Settings
    from startpunkt.events import EventBroadcaster, Feed
    from startpunkt.iconsets import IconSet
    from startpunkt.readiness import Readiness
    from startpunkt.sources.files import FileSource
    from startpunkt.sources.fswatch import FileWatcher
    from startpunkt.sources.kube.cluster import Cluster
    from startpunkt.sources.remote import Remotes
    from startpunkt.web.access import AccessLog
    from startpunkt.web.api import BodyCache
    from startpunkt.web.proxies import Proxies


@dataclass(eq=False)
class Runtime:
    """Everything one startpunkt app holds while it runs."""

    settings: Settings
    catalog: Catalog
    readiness: Readiness
    version: str
    config_path: str | None = None
    tasks: Group = field(default_factory=Group)
    """Background greenlets (sources, prober, watchers, stream upkeep); each leaves the group
    when it ends, and shutdown kills what is left."""
    broadcaster: EventBroadcaster | None = None
    feed: Feed | None = None
    """Kept here because blinker holds its receivers weakly."""
    local_broadcaster: EventBroadcaster | None = None
    """The stream of this instance's own items only (`?scope=local`), for instances that
    follow this one: what they follow is never passed on, so nothing echoes."""
    local_feed: Feed | None = None
    metrics: CollectorRegistry | None = None
    api_bodies: BodyCache | None = None
    icon_sets: dict[str, IconSet] | None = None
    """Icon sets installed with the app, by prefix (`/icons/...`)."""
    cluster_configured: bool = False
    """A cluster was asked for or found, usable or not: then the example is not served."""
    cluster: Cluster | None = None
    files: FileSource | None = None
    remotes: Remotes | None = None
    prober: Prober | None = None
    config_watcher: FileWatcher | None = None
    proxies: Proxies | None = None
    """Peers whose X-Forwarded-For names the client (gunicorn's `forwarded_allow_ips`)."""
    access_log: AccessLog | None = None
    """gunicorn's access log, when it is on: every event stream gets its line when it ends."""

    def broadcasters(self) -> list[EventBroadcaster]:
        """Every event broadcaster: the one pages read, and the one followers read."""
        return [b for b in (self.broadcaster, self.local_broadcaster) if b is not None]


def get(app: Flask | None = None) -> Runtime:
    """The runtime of `app`, or of the current app."""
    return (app or current_app).extensions["startpunkt"]
