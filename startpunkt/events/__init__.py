"""Real-time events: catalog changes → debounced events → every open SSE stream (SPEC §4).

`feed` passes the catalog's `item_changed` and the config watcher's signal on, `coalesce` folds
changes per object, `broadcaster` numbers, serialises once and fans out through the shared log
of `replay`, waking streams with `parking`; a `subscriber` is one stream's cursor into that log,
and `payloads` says what a change is and what each event carries. `web/stream.py` serves it;
docs/ARCHITECTURE.md tells the story.
"""

from __future__ import annotations

from flask import Flask

from startpunkt import catalog, model, runtime
from startpunkt.events.broadcaster import EventBroadcaster
from startpunkt.events.feed import Feed
from startpunkt.events.payloads import EventType
from startpunkt.events.subscriber import Refused, Subscriber

__all__ = ["EventBroadcaster", "EventType", "Feed", "Refused", "Subscriber", "init_app"]


def init_app(app: Flask) -> None:
    """Give `app` its broadcaster, fed by its catalog's and its config's signals, and a second
    one for its own items only (`?scope=local`, what instances following this one read)."""
    rt = runtime.get(app)
    rt.broadcaster = EventBroadcaster(
        lambda: rt.settings.realtime,
        tasks=rt.tasks,
        current=lambda: _first_items(rt.catalog.snapshot()),
    )
    rt.feed = Feed(rt.broadcaster, version=rt.version)
    rt.feed.connect(catalog=rt.catalog, app=app)
    rt.local_broadcaster = EventBroadcaster(
        lambda: rt.settings.realtime,
        tasks=rt.tasks,
        current=lambda: _first_items(rt.catalog.snapshot().local),
    )
    rt.local_feed = Feed(rt.local_broadcaster, version=rt.version, local_only=True)
    rt.local_feed.connect(catalog=rt.catalog, app=app)


def _first_items(snapshot: catalog.Snapshot) -> tuple[model.Item, ...]:
    """The first application and bookmark shown: what a reconnecting client's RESYNC is
    followed by (any current item makes an older client refetch them all)."""
    return (*snapshot.applications[:1], *snapshot.bookmarks[:1])
