"""What an event says: its type, the data each type carries, and its bytes on the wire.

Clients see `{"type", "timestamp", "data"}` as the `data:` of an SSE message named after the type.
Payloads are built from catalog items through `model.to_json`, so an event shows an item exactly
as REST does. A frame is serialised once and the same bytes go to every client.
"""

from __future__ import annotations

import enum
import json
from datetime import UTC, datetime
from typing import Any

from startpunkt import model, sse
from startpunkt.model import Application, Item


class EventType(enum.StrEnum):
    """The ten event types of the stream (SPEC §4)."""

    APPLICATION_ADDED = "APPLICATION_ADDED"
    APPLICATION_REMOVED = "APPLICATION_REMOVED"
    APPLICATION_UPDATED = "APPLICATION_UPDATED"
    BOOKMARK_ADDED = "BOOKMARK_ADDED"
    BOOKMARK_REMOVED = "BOOKMARK_REMOVED"
    BOOKMARK_UPDATED = "BOOKMARK_UPDATED"
    CONFIG_CHANGED = "CONFIG_CHANGED"
    STATUS_CHANGED = "STATUS_CHANGED"
    HEARTBEAT = "HEARTBEAT"
    RESYNC = "RESYNC"
    """The client must refetch everything (burst, unknown or expired Last-Event-ID)."""


Event = tuple[EventType, Any]
"""A type and its data, before it gets an id and bytes."""


def added(item: Item) -> Event:
    kind = (
        EventType.APPLICATION_ADDED if isinstance(item, Application) else EventType.BOOKMARK_ADDED
    )
    return kind, model.to_json(item)


def updated(item: Item) -> Event:
    is_app = isinstance(item, Application)
    kind = EventType.APPLICATION_UPDATED if is_app else EventType.BOOKMARK_UPDATED
    return kind, model.to_json(item)


def removed(item: Item) -> Event:
    """Only what a client needs to find the card: id, name, group, namespace."""
    is_app = isinstance(item, Application)
    kind = EventType.APPLICATION_REMOVED if is_app else EventType.BOOKMARK_REMOVED
    return kind, {
        "id": item.id,
        "name": item.name,
        "group": item.group,
        "namespace": item.namespace,
    }


def status_changed(item: Application) -> Event:
    data = {"id": item.id, "name": item.name, "group": item.group, "url": item.url}
    return EventType.STATUS_CHANGED, {**data, "available": item.available}


def resync(reason: str) -> Event:
    return EventType.RESYNC, {"reason": reason}


def timestamp(now: datetime | None = None) -> str:
    """UTC, ISO 8601 with milliseconds and a `Z`: `2025-10-29T12:00:00.000Z`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def frame(
    kind: EventType, data: Any, *, event_id: str | None, now: datetime | None = None
) -> bytes:
    """The SSE bytes of one event; ASCII-only JSON, so no payload can break a line."""
    envelope = {"type": kind.value, "timestamp": timestamp(now), "data": data}
    return sse.encode(
        id=event_id, event=kind.value, data=json.dumps(envelope, separators=(",", ":"))
    )
